// Polls the probe's /health over real HTTP, once a period, as a load balancer would.
import type { HealthObservation, HealthWatcher } from "../engine/ports.js";
import { httpGet } from "./http-get.js";

export function healthPoller(url: string, periodMs: number): HealthWatcher {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  return {
    start(onObservation) {
      const poll = async () => {
        const at = new Date();
        let status: HealthObservation["status"];
        try {
          status = (await httpGet(url, AbortSignal.timeout(Math.max(100, periodMs - 100)))).status;
        } catch {
          status = "unreachable";
        }
        if (!stopped) onObservation({ at, status });
      };
      void poll();
      timer = setInterval(poll, periodMs);
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
