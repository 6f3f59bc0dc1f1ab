// Synthesizes the probe environment into a plain CloudFormation template that ships inside the
// fislat CLI (`fislat synth` prints it; `fislat deploy` deploys it), so users never need the CDK.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { App, DefaultStackSynthesizer } from "aws-cdk-lib";
import { ProbeEnvironmentStack } from "./stack.js";

export function synthesizeTemplate(): Record<string, unknown> {
  // The legacy-free synthesizer without bootstrap: no asset buckets, no version check parameter.
  const app = new App({ analyticsReporting: false });
  const stack = new ProbeEnvironmentStack(app, "FislatProbeEnvironment", {
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    description:
      "fislat probe environment: the DynamoDB latency probe on ECS Fargate and what AWS FIS needs to inject latency into it",
  });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as Record<string, unknown>;
  // With no outdir, CDK writes the assembly to a new cdk.out* folder in the temp directory.
  rmSync(assembly.directory, { recursive: true, force: true });
  return template;
}

export const TEMPLATE_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../cli/dist/probe-environment.template.json",
);

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  mkdirSync(path.dirname(TEMPLATE_PATH), { recursive: true });
  writeFileSync(TEMPLATE_PATH, `${JSON.stringify(synthesizeTemplate(), null, 2)}\n`);
  process.stdout.write(`wrote ${TEMPLATE_PATH}\n`);
}
