// The CLI refuses bad input before starting anything, with exit 2 and a message naming the input.
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

/** A run against an app on this machine, up to the flag under test. */
const APP_RUN = ["run", "--local", "--app", "node server.js", "--url", "http://127.0.0.1:3000/", "--rate", "5"];

describe("fislat run, bad input", () => {
  it.each([
    [["run", "--local", "--scenario", "chaos"], /--scenario.*chaos.*timeout, succeed, edge/],
    [["run", "--local", "--duration", "abc"], /--duration "abc" is not a duration/],
    [
      ["run", "--local", "--jitter", "900"],
      /--jitter 900 ms .*expected whole milliseconds from 0 to the delay \(800 ms\)/,
    ],
    [["run", "--local", "--delay", "0", "--jitter", "0"], /a delay or a jitter above 0/],
    [
      ["run", "--local", "--baseline", "30d"],
      /--baseline "30d" is out of range: expected a duration from 1 ms to 24.8 days/,
    ],
    [["run", "--local", "--interval", "2h"], /--interval "2h" is out of range: expected a duration from 10 ms to 1 h/],
    [
      ["run", "--local", "--cluster", "FIS"],
      /--local runs everything on this machine: --cluster applies only to a run against AWS; drop it or drop --local/,
    ],
    [
      ["run", "--local", "--dynamodb", "http://localhost:8000"],
      /^fislat: without --app or --proxy-port, --local runs fislat's own probe against its own dynalite and table: --dynamodb goes with your own app on this machine, --local --app "COMMAND" \(or --proxy-port N\) and --url URL; drop it or add those\n$/,
    ],
    [
      ["run", "--local", "--tables", "tables.json"],
      /--local runs fislat's own probe .*: --tables goes with your own app/,
    ],
    [
      ["sweep", "--local", "--delay", "100ms,200ms", "--threshold", "injection.failed:rate<0.5", "--tables", "t.json"],
      /--local runs fislat's own probe .*: --tables goes with your own app/,
    ],
    [
      [
        "sweep",
        "--local",
        "--delay",
        "100ms,200ms",
        "--threshold",
        "injection.failed:rate<0.5",
        "--dynamodb",
        "http://localhost:8000",
      ],
      /--local runs fislat's own probe .*: --dynamodb goes with your own app/,
    ],
    [
      ["run", "--local", "--rate", "20", "--method", "POST"],
      /--rate, --method go with the load fislat sends to your service, --url URL/,
    ],
    [
      ["run", "--cluster", "prod", "--service", "orders", "--role-arn", "bad"],
      /^fislat: --role-arn "bad" is not an IAM role ARN, arn:<partition>:iam::<12-digit account>:role\/<name>/,
    ],
    [
      ["template", "--cluster", "prod", "--service", "orders", "--role-arn", "arn:aws:iam::12345:role/x"],
      /^fislat: --role-arn "arn:aws:iam::12345:role\/x" is not an IAM role ARN/,
    ],
    [
      ["doctor", "--role-arn", "fis"],
      /^fislat: --role-arn "fis" is not an IAM role ARN.*a role's name alone is not enough/,
    ],
    [
      ["run", "--local", "--profile", "x"],
      /^fislat: --local runs everything on this machine: --profile applies only to a run against AWS/,
    ],
    [
      [
        "sweep",
        "--local",
        "--region",
        "eu-west-1",
        "--delay",
        "100ms,200ms",
        "--threshold",
        "injection.failed:rate<0.5",
      ],
      /--region applies only to a run against AWS/,
    ],
    [
      ["run", "--local", "--threshold", "injection.failed:rate<1.5"],
      /^fislat: --threshold: injection\.failed: "rate<1\.5": the bound 1\.5 is outside 0\.\.1, so it always holds; a rate is a share from 0 to 1/,
    ],
    [
      [...APP_RUN, "--method", "FOO"],
      /^fislat: --method "FOO" is not a method fislat sends: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\n$/,
    ],
    [
      [...APP_RUN, "--method", "post"],
      /--method "post" is not a method fislat sends \(methods are case-sensitive: POST\)/,
    ],
    [["run", "--local", "--json", "/proc/r.json"], /--json "\/proc\/r.json"/],
    [["run", "--local", "--json", "/no/such/dir/r.json"], /--json "\/no\/such\/dir\/r.json": the folder/],
    [["run", "--local", "--wat"], /unknown option '--wat'/],
    [["run"], /--cluster is required/],
  ])("refuses %j with exit 2 and a message naming the input", async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    // One voice: every refusal, commander's included, is a "fislat:" line.
    expect(stderr).toMatch(/^fislat: /);
  });

  it("tail takes --output json like the other commands, and refuses another format", async () => {
    const help = await runCli(["tail", "--help"]);
    expect(help.stdout).toMatch(/--output <format> +text for people, or json: the probe's raw JSON lines/);
    const bad = await runCli(["tail", "--output", "yaml", "--log-group", "g"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--output <format>' argument 'yaml' is invalid. Allowed choices are text, json/);
  });

  it("documents the exit codes in --help", async () => {
    const { code, stdout } = await runCli(["run", "--help"]);
    expect(code).toBe(0);
    for (const n of [0, 1, 2, 3, 4, 5]) expect(stdout).toMatch(new RegExp(`^  ${n}  `, "m"));
  });
});

describe("fislat config", () => {
  it("prints each value run would use and where it came from", async () => {
    const { writeFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { tempDir } = await import("../support/temp-dir.js");
    const file = path.join(tempDir("fislat-config-"), "fislat.json");
    writeFileSync(file, JSON.stringify({ cluster: "FIS", service: "from-file" }));
    const { code, stdout } = await runCli(["config", "--config", file, "--service", "from-flag"], {
      AWS_REGION: "eu-west-1",
      // Wide enough for the config file's temporary path on one line of its cell.
      COLUMNS: "300",
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/--cluster +│ FIS +│ config file \(.*fislat\.json\)/);
    expect(stdout).toMatch(/--service +│ from-flag +│ flag/);
    expect(stdout).toMatch(/--region +│ eu-west-1 +│ environment \(AWS_REGION\)/);
    // The planner owns the defaults; config shows what it fills in, and from where.
    expect(stdout).toMatch(/--scenario +│ timeout +│ default \(scenario timeout, AWS\)/);
  });

  it("fits its table to the output's width, wrapping values rather than running past it", async () => {
    const wide = await runCli(["config", "--local", "--threshold", "injection.rtt:p(99)<1500"], { COLUMNS: "200" });
    const narrow = await runCli(["config", "--local", "--threshold", "injection.rtt:p(99)<1500"], { COLUMNS: "60" });
    expect(narrow.code).toBe(0);
    const widest = (text: string) => Math.max(...text.split("\n").map((line) => [...line].length));
    expect(widest(wide.stdout)).toBeGreaterThan(60);
    expect(widest(narrow.stdout)).toBeLessThanOrEqual(60);
    // Wrapped, not cut: the long value goes on over two lines of its cell, every character kept.
    const cell = narrow.stdout
      .split("\n")
      .filter((line, i, lines) => line.includes("--threshold") || lines[i - 1]?.includes("--threshold"))
      .map((line) => line.split("│")[2]?.trim())
      .join("");
    expect(cell).toBe("injection.rtt:p(99)<1500");
  });

  it("with --local, leaves out the AWS settings fislat deploy wrote to fislat.config.json instead of refusing them", async () => {
    const { writeFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { tempDir } = await import("../support/temp-dir.js");
    const folder = tempDir("fislat-config-");
    // What `fislat deploy` leaves in the folder it ran in.
    writeFileSync(
      path.join(folder, "fislat.config.json"),
      JSON.stringify({
        region: "eu-west-1",
        cluster: "FIS",
        service: "fislat-probe",
        taskDefinition: "fislat-probe",
        roleArn: "arn:aws:iam::123456789012:role/fislat-fis",
        healthUrl: "http://fislat-alb.example.com/health",
        repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fislat-probe",
        stackName: "fislat",
      }),
    );
    const local = await runCli(["config", "--local", "--output", "json"], {}, { cwd: folder });
    expect(local.code).toBe(0);
    const { settings, runWouldRefuse } = JSON.parse(local.stdout) as {
      settings: { flag: string; value: unknown; source: string }[];
      runWouldRefuse: string | null;
    };
    expect(runWouldRefuse).toBeNull();
    for (const flag of ["--cluster", "--service", "--role-arn", "--health-url"]) {
      expect(settings.find((s) => s.flag === flag)).toMatchObject({ value: null, source: "unset" });
    }
    // Without --local the same file is the AWS run's settings, as before.
    const aws = await runCli(["config", "--output", "json"], {}, { cwd: folder });
    expect(JSON.parse(aws.stdout).settings.find((s: { flag: string }) => s.flag === "--cluster")).toMatchObject({
      value: "FIS",
    });
    // And a flag given with --local is still refused: only the file's values are left out.
    const flagged = await runCli(["run", "--local", "--cluster", "FIS"], {}, { cwd: folder });
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toMatch(/--cluster applies only to a run against AWS/);
  });

  it("cannot pick a scenario off the object prototype", async () => {
    const { writeFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { tempDir } = await import("../support/temp-dir.js");
    const file = path.join(tempDir("fislat-config-"), "fislat.json");
    writeFileSync(file, JSON.stringify({ scenario: "toString" }));
    const { code, stderr } = await runCli(["run", "--local", "--config", file]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'fislat: --scenario "toString" is not a scenario: expected one of timeout, succeed, edge, lossy, unreachable, throttled\n',
    );
  });
});

describe("fislat synth", () => {
  it("prints the environment's CloudFormation template, shipped with the CLI", async () => {
    const { code, stdout } = await runCli(["synth"]);
    expect(code).toBe(0);
    const template = JSON.parse(stdout);
    expect(template.Resources.TaskDefinition.Properties).toMatchObject({ EnableFaultInjection: true, PidMode: "task" });
    expect(Object.keys(template.Parameters)).toEqual(
      expect.arrayContaining(["VpcId", "SubnetIds", "AllowedCidr", "ImageUri"]),
    );
  });
});
