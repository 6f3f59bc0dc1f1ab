// The local fault: the latency proxy between the probe and dynalite. The fault's own duration is
// the proxy's hard time limit, as an FIS action ends by itself when its duration runs out.
import { once } from "node:events";
import type { FaultEvent, LatencyProxy } from "@fislat/latency-proxy";
import { faultKind } from "../engine/fault.js";
import type { FaultEnded, FaultInjector, FaultStarted } from "../engine/ports.js";

function toEnded(event: FaultEvent): FaultEnded {
  return {
    endedAt: event.wallTime,
    reason: event.reason === "time-limit" ? "completed" : "stopped",
    ...(event.effects ? { effects: event.effects } : {}),
  };
}

export function proxyInjector(proxy: LatencyProxy): FaultInjector {
  let lastEnd: FaultEnded | undefined;
  return {
    description: `latency proxy ${proxy.host}:${proxy.port}`,
    async start({ fault, durationMs, probe }): Promise<FaultStarted> {
      const ended = (async () => {
        for (;;) {
          const [event] = (await once(proxy, "fault")) as [FaultEvent];
          if (event.type === "stop") return toEnded(event);
        }
      })();
      const started = proxy.startFault(faultKind(fault).proxyFault(fault, durationMs, probe));
      ended.then((e) => {
        lastEnd = e;
      });
      return { startedAt: started.wallTime, ended };
    },
    async stop() {
      const event = proxy.stopFault();
      if (event) lastEnd = toEnded(event);
      if (proxy.faultActive()) throw new Error("the latency proxy still reports a fault");
      return lastEnd ?? { endedAt: new Date(), reason: "stopped" };
    },
  };
}
