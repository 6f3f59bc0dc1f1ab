// The CLI refuses bad input before starting anything, with exit 2 and a message naming the input.
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("fislat run, bad input", () => {
  it.each([
    [["run", "--local", "--scenario", "chaos"], /--scenario.*chaos.*timeout, succeed, edge/],
    [["run", "--local", "--duration", "abc"], /--duration "abc" is not a duration/],
    [["run", "--local", "--jitter", "900"], /--jitter 900 ms exceeds --delay 800 ms/],
    [["run", "--local", "--json", "/no/such/dir/r.json"], /--json "\/no\/such\/dir\/r.json": the folder/],
    [["run", "--local", "--wat"], /unknown option '--wat'/],
    [["run"], /--cluster is required/],
  ])("refuses %j with exit 2 and a message naming the input", async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("documents the exit codes in --help", async () => {
    const { code, stdout } = await runCli(["run", "--help"]);
    expect(code).toBe(0);
    for (const n of [0, 1, 2, 3, 4, 5]) expect(stdout).toMatch(new RegExp(`^  ${n}  `, "m"));
  });
});
