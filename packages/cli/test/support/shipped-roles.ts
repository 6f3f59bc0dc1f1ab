// The FIS experiment role's policy statements as the shipped template defines them, with the
// template's pseudo parameters filled in for one partition, region and account.
import { readEnvironmentTemplate } from "../../src/commands/synth.js";
import type { PolicyStatement } from "./iam-simulator.js";

export function fisRoleStatements(where: { partition?: string; region: string; account: string }): PolicyStatement[] {
  const template = JSON.parse(readEnvironmentTemplate()) as {
    Resources: Record<string, { Properties: { Policies: { PolicyDocument: { Statement: PolicyStatement[] } }[] } }>;
  };
  const sub = (v: unknown) =>
    typeof v === "string"
      ? v
      : String((v as { "Fn::Sub": string })["Fn::Sub"])
          .replace(/\$\{AWS::Partition\}/g, where.partition ?? "aws")
          .replace(/\$\{AWS::Region\}/g, where.region)
          .replace(/\$\{AWS::AccountId\}/g, where.account);
  return (template.Resources.FisExperimentRole?.Properties.Policies ?? []).flatMap((p) =>
    p.PolicyDocument.Statement.map((st) => ({ ...st, Resource: [st.Resource].flat().map(sub) })),
  );
}
