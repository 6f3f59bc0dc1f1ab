// The reusable GitHub Action (action.yml) and docs/ci.md, as written: the action's own shell
// steps run here with the runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) and the built
// fislat on PATH, against a local experiment; a run that writes no report still gets a summary.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SHORT_PHASES } from "../support/local-run.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-action-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
const action = parse(readFileSync(path.join(REPO, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; steps: Step[] };
};

/** Runs the action's shell steps after the install step, as the runner would, with these inputs. */
async function runAction(inputs: Record<string, string>, name: string) {
  const work = path.join(dir, name);
  spawnSync("mkdir", ["-p", work]);
  const outputFile = path.join(work, "output.txt");
  const summaryFile = path.join(work, "summary.md");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const withDefaults = Object.fromEntries(
    Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? v.default ?? ""]),
  );
  const outputs: Record<string, Record<string, string>> = {};
  let lastCode = 0;
  for (const step of action.runs.steps) {
    if (!step.run || step.name === "Install fislat") continue;
    // GitHub's expressions in env: inputs and earlier steps' outputs.
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [
        k,
        v
          .replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, i) => withDefaults[i] ?? "")
          .replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/g, (_, s, o) => outputs[s]?.[o] ?? ""),
      ]),
    );
    // Each step has its own GITHUB_OUTPUT file on a runner: one step's outputs are not another's.
    writeFileSync(outputFile, "");
    // Asynchronous: a run takes seconds, and a blocked test worker misses its own messages.
    lastCode = await promisify(execFile)("bash", ["-e", "-c", step.run], {
      cwd: work,
      encoding: "utf8",
      env: {
        ...process.env,
        ...env,
        CI: "true",
        NO_COLOR: "1",
        PATH: `${path.join(REPO, "packages/cli/bin")}${path.delimiter}${process.env.PATH}`,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
      },
    }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
    if (step.id) {
      outputs[step.id] = Object.fromEntries(
        readFileSync(outputFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
    }
  }
  return {
    outputs: outputs.run ?? {},
    compare: outputs.compare ?? {},
    summary: readFileSync(summaryFile, "utf8"),
    exitCode: lastCode,
    work,
  };
}

describe("the GitHub Action", () => {
  it("is a composite action whose every step after a failure still reports", () => {
    expect(action.runs.using).toBe("composite");
    const after = action.runs.steps.slice(action.runs.steps.findIndex((s) => s.id === "run") + 1);
    expect(after.every((s) => s.if === "always()")).toBe(true);
    const upload = action.runs.steps.find((s) => s.uses?.startsWith("actions/upload-artifact"));
    expect(upload?.with?.["if-no-files-found"]).toBe("ignore");
  });

  it("runs an experiment, writes the reports, fills the job summary, ends with fislat's code", async () => {
    const { outputs, summary, exitCode, work } = await runAction(
      { args: ["--local", ...SHORT_PHASES].join(" ") },
      "ok",
    );
    const report = JSON.parse(readFileSync(path.join(work, "fislat-report.json"), "utf8"));
    expect(outputs).toMatchObject({ "exit-code": String(report.exitCode), outcome: report.outcome });
    expect(exitCode).toBe(report.exitCode);
    expect(summary).toBe(readFileSync(path.join(work, "fislat-report.md"), "utf8"));
    expect(readFileSync(path.join(work, "fislat-report.xml"), "utf8")).toMatch(/<testsuite/);
    // The HTML report is written beside the others, so the upload's `fislat-report.*` carries it.
    expect(readFileSync(path.join(work, "fislat-report.html"), "utf8")).toMatch(/^<!doctype html>/);
    const upload = action.runs.steps.find((s) => s.uses?.startsWith("actions/upload-artifact"));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, as action.yml holds it
    expect(upload?.with?.path).toBe("${{ inputs.report-name }}.*");
  });

  it("compares with a previous run's JSON report: the verdict in the summary, both files in the artifact", async () => {
    const previous = fileURLToPath(new URL("../fixtures/timeout-local.report.json", import.meta.url));
    const { outputs, compare, summary, exitCode, work } = await runAction(
      {
        args: ["--local", ...SHORT_PHASES].join(" "),
        "compare-to": previous,
        "compare-args": "--threshold injection.rtt:p(99)<base*100",
      },
      "compare",
    );
    // Whether this machine's run is slower than the recorded one is up to the machine: both
    // outcomes are the action's to report, each with its own exit.
    expect(["0", "1"]).toContain(compare["exit-code"]);
    expect(summary).toMatch(/## .* fislat compare: (NOT WORSE|WORSE)/);
    expect(summary).toContain("| `injection.rtt: p(99)<base*100` | ✔ PASS |");
    expect(readFileSync(path.join(work, "fislat-report.compare.html"), "utf8")).toMatch(/fislat compare/);
    const held = outputs["exit-code"] === "0";
    expect(exitCode).toBe(held && compare["exit-code"] === "1" ? 1 : Number(outputs["exit-code"]));
  });

  it("copes with a run that wrote no report: the summary says so, the code is fislat's", async () => {
    const { outputs, compare, summary, exitCode } = await runAction(
      { args: "--local --baseline soon", "compare-to": path.join(dir, "no-such-report.json") },
      "bad-input",
    );
    expect(outputs).toMatchObject({ "exit-code": "2", outcome: "none" });
    expect(summary).toMatch(/fislat wrote no report \(exit 2\)/);
    expect(summary).toMatch(/No comparison: no previous report at .*no-such-report\.json\./);
    expect(compare).toEqual({});
    expect(exitCode).toBe(2);
  });
});

describe("docs/ci.md", () => {
  const doc = readFileSync(path.join(REPO, "docs/ci.md"), "utf8");
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");

  it("shows workflows that parse as YAML and use only the action's inputs", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const workflow = parse(blocks[0] ?? "") as { jobs: Record<string, { steps: Step[] }> };
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    const ours = steps.find((s) => s.uses?.includes("/fislat@"));
    expect(ours).toBeDefined();
    for (const input of Object.keys(ours?.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    for (const [name, spec] of Object.entries(action.inputs)) {
      if (spec.required) expect(Object.keys(ours?.with ?? {})).toContain(name);
    }
    // The plain-steps variant is a list of steps.
    expect(Array.isArray((parse(blocks[1] ?? "") as { steps: Step[] }).steps)).toBe(true);
  });

  it("makes every report step of the plain variant run after a failure and cope with no report", () => {
    const { steps } = parse(blocks[1] ?? "") as { steps: Step[] };
    const reportSteps = steps.filter(
      (s) => (s.run ?? "").includes("GITHUB_STEP_SUMMARY") || s.uses?.includes("upload-artifact"),
    );
    expect(reportSteps.length).toBe(2);
    for (const s of reportSteps) expect(s.if).toBe("always()");
    const summary = spawnSync("bash", ["-e", "-c", reportSteps[0]?.run ?? ""], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, GITHUB_STEP_SUMMARY: path.join(dir, "plain-summary.md") },
    });
    expect(summary.status).toBe(0);
    expect(readFileSync(path.join(dir, "plain-summary.md"), "utf8")).toMatch(/fislat wrote no report/);
  });
});
