// fislat.config.json, as fislat deploy writes it, names fislat's probe: its service and its /health.
// A run against your own service (--url) must not take them as your service's.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { applyConfigFile } from "../src/config-file.js";

const collect = (v: string, p: string[] = []) => [...p, v];
const command = () =>
  new Command("run")
    .option("--cluster <name>")
    .option("--service <name>")
    .option("--health-url <url>")
    .option("--task-definition <td>")
    .option("--url <url>", "", collect, []);
const config = {
  path: "fislat.config.json",
  values: {
    cluster: "FIS",
    service: "fislat-probe-svc",
    healthUrl: "http://lb/health",
    taskDefinition: "fislat-probe",
  },
};

describe("the config file and a run against your own service", () => {
  it("fills the probe's service and /health when no --url is given", () => {
    const c = command().parse(["node", "run"], { from: "node" });
    applyConfigFile(c, config, new Set(["cluster", "service", "healthUrl", "taskDefinition", "url"]));
    expect(c.opts()).toMatchObject({ service: "fislat-probe-svc", healthUrl: "http://lb/health" });
  });

  it("leaves them out with --url, and keeps the rest (the probe's task definition for --launch)", () => {
    const c = command().parse(["node", "run", "--url", "https://orders.example.com/x"], { from: "node" });
    applyConfigFile(c, config, new Set(["cluster", "service", "healthUrl", "taskDefinition", "url"]));
    expect(c.opts()).toMatchObject({ cluster: "FIS", taskDefinition: "fislat-probe" });
    expect(c.opts().service).toBeUndefined();
    expect(c.opts().healthUrl).toBeUndefined();
  });
});
