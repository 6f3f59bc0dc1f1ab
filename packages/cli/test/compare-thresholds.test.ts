// compare's thresholds against BASE's figure: what they read, and the ones refused because they
// cannot mean what they look like.
import { describe, expect, it } from "vitest";
import { parseBaseThreshold } from "../src/engine/compare.js";

describe("compare --threshold", () => {
  it("reads a factor and an offset of BASE's figure", () => {
    expect(parseBaseThreshold("injection.rtt:p(99)<base*1.2")).toMatchObject({ factor: 1.2, offset: 0 });
    expect(parseBaseThreshold("baseline.failed:rate<=base+0.01")).toMatchObject({ factor: 1, offset: 0.01 });
    expect(parseBaseThreshold("injection.rtt:med<base-5")).toMatchObject({ offset: -5 });
    // A time's offset is milliseconds: any size.
    expect(parseBaseThreshold("injection.rtt:p(99)<base+1000")).toMatchObject({ offset: 1000 });
  });

  it("refuses a rate's offset of a whole share or more: base+1 is 100 points, not one", () => {
    expect(() => parseBaseThreshold("injection.failed:rate<=base+1")).toThrow(
      /a rate is a share from 0 to 1, so \+1 moves the bound by 100 percentage points, past every rate: the answer would not depend on the run; for one point write base\+0\.01/,
    );
    expect(() => parseBaseThreshold("injection.failed:rate>=base-2")).toThrow(
      /-2 moves the bound by 200 percentage points/,
    );
    expect(parseBaseThreshold("injection.failed:rate<=base+0.99")).toMatchObject({ offset: 0.99 });
  });
});
