import { describe, expect, it } from "vitest";
import { describeEnvProblems, Env } from "../../../src/config/env.js";
import { parseDuration } from "../../../src/config/duration.js";

const problemsFor = (env: Record<string, string>) => {
  const parsed = Env.safeParse(env);
  return parsed.success ? [] : describeEnvProblems(parsed.error);
};

describe("operator variables", () => {
  it("applies docs/design.md's defaults", () => {
    expect(Env.parse({})).toMatchObject({
      WEBHOOK_PATH: "/api/github/webhooks",
      PORT: 3000,
      LOG_LEVEL: "info",
      GHE_PROTOCOL: "https",
      BOSUN_DATA_DIR: ".bosun",
      BOSUN_WORKERS: 2,
      BOSUN_TOFU_BIN: "tofu",
      BOSUN_TERRAFORM_BIN: "terraform",
      BOSUN_TERRAGRUNT_BIN: "terragrunt",
      BOSUN_RUN_TIMEOUT: 3_600_000,
      BOSUN_REPORT_EXPIRY: 60_000,
    });
  });

  it("treats empty values as unset", () => {
    expect(Env.parse({ PORT: "", BOSUN_WORKERS: " " })).toMatchObject({
      PORT: 3000,
      BOSUN_WORKERS: 2,
    });
  });

  it.each([
    [{ PORT: "http" }, "PORT: must be a port number"],
    [{ PORT: "70000" }, "PORT: must be between 1 and 65535"],
    [{ APP_ID: "my-app" }, "APP_ID: must be the numeric GitHub App id"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL: must be one of"],
    [{ WEBHOOK_PATH: "hooks" }, "WEBHOOK_PATH: must start with /"],
    [{ GHE_HOST: "https://ghe.example.com" }, "GHE_HOST: must be a host name"],
    [{ GHE_PROTOCOL: "ftp" }, "GHE_PROTOCOL: must be http or https"],
    [{ DATABASE_URL: "mysql://db/bosun" }, "DATABASE_URL: must be a postgres://"],
    [{ BOSUN_PUBLIC_URL: "bosun.example.com" }, "BOSUN_PUBLIC_URL: must be an http(s) URL"],
    [{ BOSUN_WORKERS: "-1" }, "BOSUN_WORKERS: must be 0 or more"],
    [{ BOSUN_WORKERS: "two" }, "BOSUN_WORKERS: must be a whole number"],
    [{ BOSUN_RUN_TIMEOUT: "an hour" }, "BOSUN_RUN_TIMEOUT: must be a duration"],
    [{ BOSUN_REPORT_EXPIRY: "500ms" }, "BOSUN_REPORT_EXPIRY: must be at least 1s"],
    [{ BOSUN_DRIFT_SCHEDULE: "every day" }, "BOSUN_DRIFT_SCHEDULE: must be a cron expression"],
    [{ BOSUN_DRIFT_SCHEDULE: "0 25 * * *" }, "BOSUN_DRIFT_SCHEDULE: is not a cron schedule"],
  ])("rejects %o with a line naming the variable", (env, expected) => {
    const problems = problemsFor(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it("reads a drift schedule, and none when unset", () => {
    expect(Env.parse({ BOSUN_DRIFT_SCHEDULE: " 0 */6 * * * " }).BOSUN_DRIFT_SCHEDULE).toBe(
      "0 */6 * * *",
    );
    expect(Env.parse({ BOSUN_DRIFT_SCHEDULE: "" }).BOSUN_DRIFT_SCHEDULE).toBeUndefined();
  });

  it("passes no host variable through to engines unless the operator names it", () => {
    expect(Env.parse({}).BOSUN_ENGINE_PASSTHROUGH_ENV).toEqual([]);
    expect(
      Env.parse({ BOSUN_ENGINE_PASSTHROUGH_ENV: " AWS_PROFILE, AWS_CONFIG_FILE,,AWS_PROFILE " })
        .BOSUN_ENGINE_PASSTHROUGH_ENV,
    ).toEqual(["AWS_PROFILE", "AWS_CONFIG_FILE"]);
  });

  it.each([
    ["PRIVATE_KEY", "is Bosun's own"],
    ["PRIVATE_KEY_PATH", "is Bosun's own"],
    ["WEBHOOK_SECRET", "is Bosun's own"],
    ["DATABASE_URL", "is Bosun's own"],
    ["GITHUB_CLIENT_SECRET", "is Bosun's own"],
    ["APP_ID", "is Bosun's own"],
    ["BOSUN_ENCRYPTION_KEY", "is Bosun's own"],
    // Not one of today's variables, and still Bosun's by its prefix.
    ["BOSUN_NOTIFY_SECRET", "is Bosun's own"],
    ["HOME", "is set by Bosun for every engine run"],
    ["TF_HTTP_PASSWORD", "is set by Bosun for every engine run"],
    ["TF_IN_AUTOMATION", "is set by Bosun for every engine run"],
    ["TF_CLI_ARGS_plan", "is set by Bosun for every engine run"],
    ["TF_VAR_db_password", "is an engine variable"],
    ["AWS-PROFILE", "is not an environment variable name"],
  ])("refuses to pass %s through, naming the variable", (name, reason) => {
    const problems = problemsFor({ BOSUN_ENGINE_PASSTHROUGH_ENV: `AWS_PROFILE,${name}` });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(`BOSUN_ENGINE_PASSTHROUGH_ENV: ${name} ${reason}`)).toBe(true);
  });

  it.each([
    ["--help", "must be an executable's name or path, not a flag"],
    ["/opt/terra\tgrunt", "must not contain control characters"],
  ])("refuses BOSUN_TERRAGRUNT_BIN %j", (value, message) => {
    expect(problemsFor({ BOSUN_TERRAGRUNT_BIN: value })).toEqual([
      expect.stringContaining(`BOSUN_TERRAGRUNT_BIN: ${message}`),
    ]);
    expect(Env.parse({ BOSUN_TERRAGRUNT_BIN: "/opt/bin/terragrunt" }).BOSUN_TERRAGRUNT_BIN).toBe(
      "/opt/bin/terragrunt",
    );
  });

  it("reports every bad variable at once", () => {
    expect(problemsFor({ PORT: "x", BOSUN_WORKERS: "x", BOSUN_RUN_TIMEOUT: "x" })).toHaveLength(3);
    expect(
      problemsFor({ PORT: "x", BOSUN_ENGINE_PASSTHROUGH_ENV: "PRIVATE_KEY,WEBHOOK_SECRET" }),
    ).toHaveLength(3);
  });

  it.each([
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
    ["1.5h", 5_400_000],
    ["1x", undefined],
    ["", undefined],
    ["0s", undefined],
  ])("parses the duration %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
