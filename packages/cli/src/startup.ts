// Imported first by cli.ts: fislat's signal handlers exist before any other module loads, and
// the AWS SDK's Node-version warning is condensed before any SDK client can print it. With
// cli.ts and signals.ts, the only module that touches `process`.
import { condenseSdkNodeWarning } from "./sdk-warning.js";
import { installSignalHandlers } from "./signals.js";

installSignalHandlers();
condenseSdkNodeWarning(process, (line) => process.stderr.write(line));
