// The FIS template's own limits, from the FIS API model and the actions reference: descriptions
// of at most 512 characters whatever --sources holds, and each --sources entry one FIS takes.
import { describe, expect, it } from "vitest";
import { buildTemplate, MAX_DESCRIPTION_LENGTH } from "../src/aws/fis-template.js";
import { checkSources, sourceKind } from "../src/engine/fis-sources.js";

const spec = (sources: string) => ({
  runId: "0f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19",
  scenario: "timeout",
  roleArn: "arn:aws:iam::000000000000:role/fis",
  fault: { kind: "latency" as const, delayMs: 800, jitterMs: 50 },
  durationMs: 300_000,
  sources,
  target: { kind: "arns" as const, taskArns: ["arn:aws:ecs:us-east-1:000000000000:task/c/t1"] },
  stopAlarmArns: [],
});

describe("the FIS template", () => {
  it("keeps the template's and the action's descriptions within 512 characters with 40 CIDRs in --sources, run id whole", () => {
    const sources = Array.from({ length: 40 }, (_, i) => `10.${i}.0.0/16`).join(",");
    const t = buildTemplate(spec(sources) as Parameters<typeof buildTemplate>[0]);
    expect(t.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
    expect(t.description).toMatch(/\.\.\. for PT5M \(run 0f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19\)$/);
    const action = Object.values(t.actions)[0];
    expect(action?.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
    // The parameter itself is whole.
    expect(action?.parameters.sources).toBe(sources);
  });

  it("takes each kind of source FIS names, and refuses the rest by entry", () => {
    for (const [entry, kind] of [
      ["DYNAMODB", "keyword"],
      ["S3", "keyword"],
      ["ALL", "keyword"],
      ["10.0.0.1", "ipv4"],
      ["10.0.0.0/8", "cidr"],
      ["dynamodb.us-east-1.amazonaws.com", "domain"],
      ["us-east-1a", "az"],
      ["use1-az1", "az"],
    ] as const)
      expect(sourceKind(entry), entry).toBe(kind);
    for (const bad of [
      "DYNAMO_DB",
      "dynamodb",
      "10.0.0.256",
      "10.0.0.0/33",
      "2001:db8::/32",
      "-a.example.com",
      "1.2.3",
    ])
      expect(sourceKind(bad), bad).toBeUndefined();
    expect(() => checkSources("DYNAMODB,s3")).toThrow(/entry "s3" .*did you mean S3\?/);
    expect(checkSources("DYNAMODB,S3,10.0.0.0/8")).toBe("DYNAMODB,S3,10.0.0.0/8");
  });
});
