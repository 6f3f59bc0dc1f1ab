// The local experiment's world on one machine: dynalite, the latency proxy in front of it, and the
// real probe pointed at the proxy. Each part is registered with the cleanup owner as it starts.
import { startLocalDynamo } from "@fislat/dynamo-local";
import { LatencyProxy } from "@fislat/latency-proxy";
import { durationEnvValue, PROBE_ENV, PROBE_PATHS } from "@fislat/probe/contract";
import type { CommandContext } from "../context.js";
import type { ExperimentPorts } from "../engine/experiment.js";
import { systemClock } from "../engine/ports.js";
import { healthPoller } from "./health-poller.js";
import { startProbeProcess } from "./probe-process.js";
import { proxyInjector } from "./proxy-injector.js";

export interface LocalProbeSettings {
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  intervalMs: number;
  healthFailureMs: number;
}

export interface LocalEnvironment {
  ports: ExperimentPorts;
  target: string;
  probePid: number;
  probePort: number;
  dynamoPort: number;
  proxyPort: number;
  /** The seed of the latency proxy's delay draws: `--seed` replays them. */
  seed: number;
}

export const LOCAL_HEALTH_POLL_MS = 1000;

export async function startLocalEnvironment(
  settings: LocalProbeSettings,
  /** Its cleanup owner, the probe's Node.js and PATH. */
  { resources, host, env }: Pick<CommandContext, "resources" | "host" | "env">,
  seed?: number,
): Promise<LocalEnvironment> {
  const db = await startLocalDynamo();
  resources.add(`dynalite on port ${db.port}`, () => db.close());
  const proxy = await LatencyProxy.start({ target: { host: "127.0.0.1", port: db.port }, seed });
  resources.add(`latency proxy on port ${proxy.port}`, () => proxy.close());
  const probe = await startProbeProcess(
    {
      PATH: env.PATH ?? "",
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${proxy.port}`,
      TABLE_NAME: db.tableName,
      // The probe's own names and units, from its contract: the planner checked the values against it.
      [PROBE_ENV.CONNECTION_TIMEOUT_MS.name]: durationEnvValue(
        PROBE_ENV.CONNECTION_TIMEOUT_MS,
        settings.connectionTimeoutMs,
      ),
      [PROBE_ENV.READ_TIMEOUT_MS.name]: durationEnvValue(PROBE_ENV.READ_TIMEOUT_MS, settings.readTimeoutMs),
      [PROBE_ENV.TEST_INTERVAL_SECONDS.name]: durationEnvValue(PROBE_ENV.TEST_INTERVAL_SECONDS, settings.intervalMs),
      [PROBE_ENV.HEALTH_FAILURE_SECONDS.name]: durationEnvValue(
        PROBE_ENV.HEALTH_FAILURE_SECONDS,
        settings.healthFailureMs,
      ),
    },
    host,
  );
  resources.add(`probe process ${probe.pid}`, () => probe.terminate());
  const injector = proxyInjector(proxy);
  // Registered last, so released first: the fault goes before anything else.
  resources.add("the latency fault", () => injector.stop(), { fault: true });
  return {
    ports: {
      targets: {
        resolve: async () => [
          { id: `pid:${probe.pid}`, description: `local probe (pid ${probe.pid}, /health on :${probe.port})` },
        ],
      },
      injector,
      source: probe,
      health: healthPoller(`http://127.0.0.1:${probe.port}${PROBE_PATHS.health}`, LOCAL_HEALTH_POLL_MS),
      clock: systemClock,
    },
    target: `probe pid ${probe.pid} -> latency proxy :${proxy.port} (--seed ${proxy.seed}) -> dynalite :${db.port} (table ${db.tableName})`,
    probePid: probe.pid,
    probePort: probe.port,
    dynamoPort: db.port,
    proxyPort: proxy.port,
    seed: proxy.seed as number,
  };
}
