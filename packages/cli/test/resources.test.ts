// The cleanup owner: everything a command started is released newest first, every release is
// tried even when one fails, and what could not be released is returned (a fault: exit 5).
import { describe, expect, it } from "vitest";
import { Resources } from "../src/resources.js";

describe("Resources", () => {
  it("releases in reverse order, each release finished before the next begins", async () => {
    const resources = new Resources();
    const log: string[] = [];
    for (const name of ["dynalite", "proxy", "probe"]) {
      resources.add(name, async () => {
        log.push(`${name} begins`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`${name} ends`);
      });
    }
    expect(await resources.releaseAll()).toEqual([]);
    expect(log).toEqual([
      "probe begins",
      "probe ends",
      "proxy begins",
      "proxy ends",
      "dynalite begins",
      "dynalite ends",
    ]);
  });

  it("a release that fails (throws or rejects) does not stop the others, and is returned with its name", async () => {
    const resources = new Resources();
    const released: string[] = [];
    resources.add("dynalite", () => released.push("dynalite"));
    resources.add("proxy", async () => {
      throw new Error("port busy");
    });
    resources.add("probe", () => released.push("probe"));
    resources.add(
      "the latency fault",
      () => {
        throw "not removed";
      },
      { fault: true },
    );
    expect(await resources.releaseAll()).toEqual([
      { name: "the latency fault", error: "not removed", fault: true },
      { name: "proxy", error: "port busy", fault: false },
    ]);
    expect(released).toEqual(["probe", "dynalite"]);
  });

  it("releases once, however often it is asked (the run's end and its finally, a second Ctrl-C)", async () => {
    const resources = new Resources();
    let calls = 0;
    resources.add("probe", () => {
      calls += 1;
    });
    const first = resources.releaseAll();
    const second = resources.releaseAll();
    expect(second).toBe(first);
    await first;
    await resources.releaseAll();
    expect(calls).toBe(1);
  });

  it("says what is still held, newest first, and which release is under way", async () => {
    const resources = new Resources();
    let during: { current: string | undefined; pending: string[] } | undefined;
    resources.add("dynalite", () => {});
    resources.add("probe", () => {
      during = { current: resources.current, pending: resources.pending() };
    });
    expect(resources.pending()).toEqual(["probe", "dynalite"]);
    expect(resources.current).toBeUndefined();
    await resources.releaseAll();
    expect(during).toEqual({ current: "probe", pending: ["dynalite"] });
    expect(resources.pending()).toEqual([]);
    expect(resources.current).toBeUndefined();
  });

  it("holds again once released: the next release takes what was added since (a sweep's levels)", async () => {
    const resources = new Resources();
    const released: string[] = [];
    resources.add("level 1 proxy", () => released.push("level 1 proxy"));
    await resources.releaseAll();
    resources.add("level 2 proxy", () => released.push("level 2 proxy"));
    expect(resources.pending()).toEqual(["level 2 proxy"]);
    expect(await resources.releaseAll()).toEqual([]);
    expect(released).toEqual(["level 1 proxy", "level 2 proxy"]);
  });
});
