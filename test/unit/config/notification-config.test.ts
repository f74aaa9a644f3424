import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Env } from "../../../src/config/env.js";
import { loadConfig } from "../../../src/config/load-config.js";
import { parseRepoConfig } from "../../../src/config/parse-repo-config.js";
import type { RepoConfig } from "../../../src/config/repo-config.js";
import { splitTrust } from "../../../src/config/split-trust.js";
import { notificationJsonSchema } from "../../../src/render/notification-payload.js";

function parseOk(text: string): RepoConfig {
  const result = parseRepoConfig(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const config = (notifications: string) => `version: 1
environments:
  prod: {}
notifications:
${notifications}`;

const DESIGN_EXAMPLE = `  - name: audit
    webhook: { url: "https://audit.example.com/bosun", secret: AUDIT_WEBHOOK_SECRET }
    events: [run.unconfirmed, run.finished, run.failed, drift.detected]
  - name: ops
    slack: { channel: "#infra" }
    environments: [prod]
`;

describe("bosun.yml notifications", () => {
  it("reads DESIGN's example", () => {
    expect(parseOk(config(DESIGN_EXAMPLE)).notifications).toEqual([
      {
        name: "audit",
        webhook: { url: "https://audit.example.com/bosun", secret: "AUDIT_WEBHOOK_SECRET" },
        events: ["run.unconfirmed", "run.finished", "run.failed", "drift.detected"],
      },
      { name: "ops", slack: { channel: "#infra" }, environments: ["prod"] },
    ]);
    expect(parseOk("version: 1\n").notifications).toEqual([]);
  });

  it.each([
    [
      `  - name: a\n    webhook: { url: "ftp://x.example/", secret: S }\n`,
      "notifications[0].webhook.url",
      6,
      /http/,
    ],
    [
      `  - name: a\n    webhook: { url: "https://x.example/", secret: "whsec_abc=" }\n`,
      "notifications[0].webhook.secret",
      6,
      /letters/,
    ],
    [
      `  - name: a\n    slack: { channel: "#x" }\n    events: [run.exploded]\n`,
      "notifications[0].events[0]",
      7,
      /run\.created/,
    ],
    [`  - name: a\n`, "notifications[0]", 5, /one of webhook or slack/],
    [
      `  - name: a\n    slack: { channel: "#x" }\n  - name: a\n    slack: { channel: "#y" }\n`,
      "notifications[1].name",
      7,
      /already named/,
    ],
  ])("refuses %j on its line", (yaml, path, line, message) => {
    const result = parseRepoConfig(config(yaml));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({ path, line, message: expect.stringMatching(message) }),
    ]);
  });

  it("takes notifications from the tracked branch only", () => {
    const tracked = parseOk(config(DESIGN_EXAMPLE));
    const head = parseOk(
      config(`  - name: sneaky\n    webhook: { url: "https://evil.example/", secret: S }\n`),
    );
    expect(splitTrust(head, tracked).notifications.map((target) => target.name)).toEqual([
      "audit",
      "ops",
    ]);
    expect(splitTrust(head, undefined).notifications).toEqual([]);
  });
});

describe("the operator's notification variables", () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
  const problems = (env: Record<string, string>) => {
    const parsed = Env.safeParse(env);
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join("."));
  };

  it("validates each with a clear error", () => {
    expect(problems({ BOSUN_NOTIFY_URL: "ftp://x", BOSUN_NOTIFY_SECRET: "hunter2" })).toEqual([
      "BOSUN_NOTIFY_URL",
      "BOSUN_NOTIFY_SECRET",
    ]);
    expect(problems({ BOSUN_NOTIFY_SECRET: "whsec_c2hvcnQ=" })).toEqual(["BOSUN_NOTIFY_SECRET"]);
    expect(problems({ BOSUN_NOTIFY_RETRY_BASE: "1m", SLACK_BOT_TOKEN: "nope" })).toEqual([
      "BOSUN_NOTIFY_RETRY_BASE",
      "SLACK_BOT_TOKEN",
    ]);
    expect(
      problems({ BOSUN_NOTIFY_URL: "https://ops.example/hook", BOSUN_NOTIFY_SECRET: secret }),
    ).toEqual([]);
  });

  it("needs the URL and the secret together, and defaults Slack's API", async () => {
    const base = { BOSUN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") };
    await expect(
      loadConfig({ ...base, BOSUN_NOTIFY_URL: "https://ops.example/hook" }),
    ).rejects.toThrow(/BOSUN_NOTIFY_SECRET: required with BOSUN_NOTIFY_URL/);
    const loaded = await loadConfig({ ...base, SLACK_BOT_TOKEN: "xoxb-1-2" });
    expect(loaded.notifications).toMatchObject({
      server: undefined,
      allowPrivate: false,
      timeoutMs: 10_000,
      retryBaseMs: 5_000,
      slack: { token: "xoxb-1-2", apiUrl: "https://slack.com/api/" },
    });
  });
});

describe("schema/notification.schema.json", () => {
  it("matches the payload's zod schema", () => {
    expect(
      JSON.parse(
        readFileSync(new URL("../../../schema/notification.schema.json", import.meta.url), "utf8"),
      ),
      "schema/notification.schema.json is stale: run npx tsx scripts/generate-config-schema.ts",
    ).toEqual(notificationJsonSchema());
  });
});
