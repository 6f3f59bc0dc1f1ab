// Who is probing: the ECS task ARN from the task metadata endpoint v4 when running on ECS,
// otherwise the host name, so lines from several tasks can be told apart.
import os from "node:os";

export async function resolveTaskIdentity(
  env: Record<string, string | undefined> = process.env,
  timeoutMs = 2000,
): Promise<string> {
  const metadataUri = env.ECS_CONTAINER_METADATA_URI_V4;
  if (!metadataUri) return os.hostname();
  try {
    const response = await fetch(`${metadataUri}/task`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) {
      const task = (await response.json()) as { TaskARN?: unknown };
      if (typeof task.TaskARN === "string" && task.TaskARN !== "") return task.TaskARN;
    }
  } catch {
    // Fall through: a probe without its task ARN is still a useful probe.
  }
  return os.hostname();
}
