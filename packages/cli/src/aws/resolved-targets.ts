// FIS resolves service and tag targets itself, at experiment start: the tasks it picks need not be
// the ones fislat checked before (a tag matched in another cluster, a task started after the
// preflight). Once FIS says which tasks it resolved, they are checked again: any outside the
// checked cluster stops the experiment at once (a fault on tasks nobody checked or watches), and
// a new task in the cluster that is not registered with SSM is named (the fault cannot reach it).
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { FaultInjector, FaultStarted } from "../engine/ports.js";
import { EXIT, FislatError } from "../errors.js";
import { unregisteredTasks } from "./preflight.js";

export interface ResolvedCheckOptions {
  /** The tasks the preflight checked. */
  checked: string[];
  /** The cluster they run in (name or ARN). */
  cluster: string;
  ssm: SSMClient;
  say: (message: string) => void;
}

const clusterOf = (taskArn: string) => taskArn.split("/").at(-2) ?? "";
const idOf = (arn: string) => arn.split("/").at(-1) ?? arn;

/** The injector, whose start re-checks the tasks FIS resolved. */
export function checkedResolution<I extends FaultInjector>(inner: I, options: ResolvedCheckOptions): I {
  const clusterName = options.cluster.split("/").at(-1) ?? options.cluster;
  const start: FaultInjector["start"] = async (fault, signal) => {
    const started: FaultStarted = await inner.start(fault, signal);
    const resolved = started.targets ?? [];
    const elsewhere = resolved.filter((arn) => clusterOf(arn) !== clusterName);
    if (elsewhere.length > 0) {
      await inner.stop().catch(() => undefined);
      throw new FislatError(
        `FIS resolved ${elsewhere.length} task(s) outside cluster ${clusterName}, which fislat did not check: ${elsewhere
          .slice(0, 5)
          .join(
            ", ",
          )}; the experiment was stopped. Aim with --target-by arns (the default), or a tag only the cluster's probe tasks carry`,
        EXIT.environment,
      );
    }
    const fresh = resolved.filter((arn) => !options.checked.includes(arn));
    if (fresh.length > 0) {
      const missing = await unregisteredTasks(options.ssm, fresh).catch(() => fresh);
      options.say(
        `FIS also picked ${fresh.length} task(s) that started after the preflight: ${fresh.map(idOf).join(", ")}${
          missing.length > 0
            ? `; not registered with SSM, so the fault does not reach: ${missing.map(idOf).join(", ")}`
            : " (registered with SSM)"
        }`,
      );
    }
    return started;
  };
  return { ...inner, start };
}
