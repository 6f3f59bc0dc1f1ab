// JSON lines on stdout: one object per line, the only output a reader (CloudWatch, the CLI) sees.
export type LogFields = { msg: string; level?: "info" | "warn" | "error"; [field: string]: unknown };

export type LogWriter = (fields: LogFields) => void;

export function jsonLineWriter(write: (line: string) => void = (line) => process.stdout.write(line)): LogWriter {
  return (fields) => {
    write(`${JSON.stringify({ ts: new Date().toISOString(), level: "info", ...fields })}\n`);
  };
}
