// The flags of a run against the user's own service: the app and its DynamoDB (local), and the
// load sent to it. One place, so `run`, `experiment check` and `config` show the same ones.
import type { Command } from "commander";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function appRunOptions(command: Command): Command {
  return command
    .option("--app <command>", "local: start your app with this shell command, DynamoDB pointed at the fault")
    .option("--url <url>", "send the load here (repeatable: round-robin); your app is what is judged", collect, [])
    .option("--rate <n>", "requests per second sent to --url, on schedule whether or not earlier ones finished")
    .option("--tables <file>", "local: tables to create in dynalite (JSON or YAML: CreateTable inputs with Items)")
    .option("--dynamodb <url>", "local: your own local DynamoDB (plain HTTP) instead of dynalite")
    .option(
      "--app-env <name=value>",
      "local: a variable for your app; {dynamodb} stands for the proxy's URL (repeatable)",
      collect,
      [],
    )
    .option("--app-ready-url <url>", "your app is ready when this answers (default: the first --url)")
    .option("--app-ready-timeout <duration>", "how long your app may take to be ready (default 60s)")
    .option("--proxy-port <n>", "local: the fault listens on 127.0.0.1:N for an app already running (no --app)")
    .option(
      "--max-in-flight <n>",
      "requests in flight at most; ones due beyond it are dropped (default from rate and timeout)",
    )
    .option("--request-timeout <ms>", "each request's deadline (default 2s)")
    .option("--method <method>", "HTTP method of the load (default GET)")
    .option("--header <'Name: value'>", "a header on every request (repeatable)", collect, [])
    .option("--body <text>", "the body of every request")
    .option("--ok-status <list>", "statuses that count as ok, e.g. 2xx,3xx (default) or 200-299,404");
}
