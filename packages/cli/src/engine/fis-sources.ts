// The `sources` parameter of FIS's ECS network actions (aws:ecs:task-network-latency, and the
// packet-loss action alike), checked entry by entry before anything exists, so a typo such as
// DYNAMO_DB is refused with exit 2 instead of failing the experiment after a task was launched.
// Source: FIS actions reference, aws:ecs:task-network-latency, "sources": comma-separated IPv4
// addresses, IPv4 CIDR blocks, domain names, AZ names (us-east-1a), AZ IDs (use1-az1), ALL,
// DYNAMODB and S3; IPv6 is not impaired. The value is an action parameter: at most 1024
// characters, no whitespace (FIS API model, ExperimentTemplateActionParameter).
import { badInput } from "../errors.js";

/** An action parameter's value is at most 1024 characters (FIS API model). */
export const MAX_SOURCES_LENGTH = 1024;
const KEYWORDS = ["ALL", "DYNAMODB", "S3"];
const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^(${OCTET}\\.){3}${OCTET}$`);
const CIDR = new RegExp(`^(${OCTET}\\.){3}${OCTET}/(3[0-2]|[12]?\\d)$`);
/** An AZ name (us-east-1a, us-gov-west-1b) or AZ ID (use1-az1). */
const AZ_NAME = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/;
const AZ_ID = /^[a-z]{2,5}\d+-az\d+$/;
/** A DNS name: two or more labels of letters, digits and inner hyphens, a letter-only top label, 253 characters at most. */
const LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const DOMAIN = new RegExp(`^(${LABEL}\\.)+[A-Za-z]{2,63}\\.?$`);

export type SourceKind = "keyword" | "ipv4" | "cidr" | "az" | "domain";

/** What one entry is, or undefined when FIS would not take it. */
export function sourceKind(entry: string): SourceKind | undefined {
  if (KEYWORDS.includes(entry)) return "keyword";
  if (IPV4.test(entry)) return "ipv4";
  if (CIDR.test(entry)) return "cidr";
  if (AZ_NAME.test(entry) || AZ_ID.test(entry)) return "az";
  if (entry.length <= 253 && DOMAIN.test(entry) && !/^[\d.]+$/.test(entry)) return "domain";
  return undefined;
}

const quoted = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** The --sources value as FIS takes it, or a bad-input error naming the first entry it would refuse. */
export function checkSources(sources: string): string {
  if (sources.length === 0 || sources.length > MAX_SOURCES_LENGTH) {
    throw badInput(
      `--sources is ${sources.length} characters: FIS takes 1 to ${MAX_SOURCES_LENGTH} (name fewer destinations, or a CIDR block that covers them)`,
    );
  }
  const entries = sources.split(",");
  for (const entry of entries) {
    if (sourceKind(entry)) continue;
    const hint = KEYWORDS.find((k) => k === entry.toUpperCase().replace(/[_-]/g, ""));
    throw badInput(
      `--sources entry ${quoted(entry)} is not something FIS takes: each comma-separated entry (no spaces) is an IPv4 address, an IPv4 CIDR block, a domain name, an AZ name or ID, or one of ${KEYWORDS.join(", ")}${hint ? ` (did you mean ${hint}?)` : ""}`,
    );
  }
  return sources;
}
