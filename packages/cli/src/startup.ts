// Imported first by cli.ts: fislat's signal handlers exist before any other module loads, and
// the AWS SDK's Node-version warning is condensed before any SDK client can print it.
import { condenseSdkNodeWarning } from "./sdk-warning.js";
import { installSignalHandlers } from "./signals.js";

installSignalHandlers();
condenseSdkNodeWarning();
