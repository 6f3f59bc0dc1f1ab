// The FIS actions fislat uses, as the FIS actions reference defines their parameters (names,
// which are required, what values each takes), and the API model's rule for every parameter
// value (a string of 1 to 1024 characters without whitespace). A template is checked against
// it as FIS would (ValidationException), and the simulated AWS applies the action it names.

type Rule = (value: string) => boolean;
const int =
  (min: number, max: number): Rule =>
  (v) =>
    /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
const bool: Rule = (v) => /^(true|false)$/i.test(v);
const isoDuration: Rule = (v) => /^PT(\d+H)?(\d+M)?(\d+S)?$/.test(v) && v !== "PT";
// IPv4 addresses or CIDRs, domain names, AZ names or IDs, ALL, DYNAMODB, S3; comma-separated.
const sources: Rule = (v) => v.split(",").every((s) => /^[A-Za-z0-9.:/_-]+$/.test(s));

const ECS_NETWORK = {
  duration: isoDuration,
  flowsPercent: int(1, 100),
  sources,
  installDependencies: bool,
  useEcsFaultInjectionEndpoints: bool,
};

export const FIS_ACTION_MODEL: Record<string, { required: string[]; parameters: Record<string, Rule> }> = {
  "aws:ecs:task-network-latency": {
    required: ["duration"],
    parameters: { ...ECS_NETWORK, delayMilliseconds: int(0, 2 ** 31), jitterMilliseconds: int(0, 2 ** 31) },
  },
  "aws:ecs:task-network-packet-loss": {
    required: ["duration"],
    parameters: { ...ECS_NETWORK, lossPercent: int(0, 100) },
  },
};

/** What FIS would refuse in one template action, in words; empty when it takes it. */
export function actionProblems(action: { actionId?: string; parameters?: Record<string, string> }): string[] {
  const model = FIS_ACTION_MODEL[action.actionId ?? ""];
  if (!model) return [`unknown action ${action.actionId}`];
  const params = action.parameters ?? {};
  const problems = model.required.filter((p) => params[p] === undefined).map((p) => `${p} is required`);
  for (const [name, value] of Object.entries(params)) {
    const rule = model.parameters[name];
    if (!rule) problems.push(`${name} is not a parameter of ${action.actionId}`);
    else if (typeof value !== "string" || !/^\S{1,1024}$/.test(value) || !rule(value))
      problems.push(`${name} ${JSON.stringify(value)} is not a valid value`);
  }
  if (params.useEcsFaultInjectionEndpoints !== "true")
    problems.push("Fargate needs useEcsFaultInjectionEndpoints=true");
  return problems;
}

/** A round trip under the action, as the probe would see it: what the simulated AWS applies. */
export function roundTripUnder(
  action: { actionId?: string; parameters?: Record<string, string> },
  seq: number,
): { ok: boolean; rttMs: number; errorKind?: string } {
  const p = action.parameters ?? {};
  if (action.actionId === "aws:ecs:task-network-packet-loss") {
    const loss = Number(p.lossPercent ?? 7);
    if (loss >= 100) return { ok: false, rttMs: 501, errorKind: seq % 5 === 0 ? "timeout" : "connect_timeout" };
    // Every round trip whose turn falls in the lost share waits one retransmission timeout.
    return (seq * 37) % 100 < loss ? { ok: true, rttMs: 208 } : { ok: true, rttMs: 8 };
  }
  return { ok: false, rttMs: 503, errorKind: "timeout" };
}
