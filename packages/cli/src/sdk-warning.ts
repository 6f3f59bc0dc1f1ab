// The AWS SDK warns on Node < 22 with an 8-line message, once per copy of @aws-sdk/core (fislat
// has two). Commands that call AWS show it once, as one line; nothing else is touched.
const SDK_NODE_WARNING = /^NodeVersionSupportWarning:.*?require node >=(\d+)/s;

/** What of the process the filter replaces and reads: startup.ts passes `process` itself. */
export interface WarningHost {
  emitWarning: (...args: never[]) => void;
  readonly version: string;
}

export function condenseSdkNodeWarning(host: WarningHost, write: (line: string) => void): void {
  let shown = false;
  const emit = host.emitWarning.bind(host) as (...args: unknown[]) => void;
  host.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning instanceof Error ? warning.message : "";
    const sdk = SDK_NODE_WARNING.exec(text);
    if (!sdk) return emit(warning, ...rest);
    if (shown) return;
    shown = true;
    write(`fislat: note: AWS SDK releases from January 2027 require Node >= ${sdk[1]}; this is Node ${host.version}\n`);
  }) as WarningHost["emitWarning"];
}
