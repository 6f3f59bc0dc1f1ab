// Record indices in start order: equal starts keep their order, whether the keys pack into one
// float (whole milliseconds over a short span) or need the comparator (fractions, a long span).
import { describe, expect, it } from "vitest";
import { sortIndicesBy } from "../src/engine/sort-by-key.js";

describe("sortIndicesBy", () => {
  it("orders by key and keeps equal keys in their order, packed or not", () => {
    const whole = [5, 3, 5, 1, 3];
    expect([...sortIndicesBy(whole.length, (i) => whole[i] as number)]).toEqual([3, 1, 4, 0, 2]);
    const fractions = [5.5, 3, 5.5, 1, 3];
    expect([...sortIndicesBy(fractions.length, (i) => fractions[i] as number)]).toEqual([3, 1, 4, 0, 2]);
    const farApart = [2e15, 3, 2e15, 1, 3];
    expect([...sortIndicesBy(farApart.length, (i) => farApart[i] as number)]).toEqual([3, 1, 4, 0, 2]);
  });

  it("orders a subset given by index", () => {
    const keys = [9, 8, 7, 6];
    expect([...sortIndicesBy(keys.length, (i) => keys[i] as number, [0, 2, 3])]).toEqual([3, 2, 0]);
  });
});
