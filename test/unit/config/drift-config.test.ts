import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../../src/config/parse-repo-config.js";
import type { RepoConfig } from "../../../src/config/repo-config.js";
import { splitTrust } from "../../../src/config/split-trust.js";

function parseOk(text: string): RepoConfig {
  const result = parseRepoConfig(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const config = (prodDrift: string, devDrift = "{}") => `version: 1
environments:
  dev: ${devDrift}
  prod:
    drift: ${prodDrift}
stacks:
  - name: network
    dir: infra/network
    environments: [dev, prod]
`;

describe("bosun.yml drift", () => {
  it("reads DESIGN's schedule and reconcile per environment, reconcile off by default", () => {
    const parsed = parseOk(config(`{ schedule: "0 */6 * * *", reconcile: true }`));
    expect(parsed.environments.prod?.drift).toEqual({ schedule: "0 */6 * * *", reconcile: true });
    expect(parsed.environments.dev?.drift).toBeUndefined();
    expect(parseOk(config("{ schedule: '@daily' }")).environments.prod?.drift).toEqual({
      schedule: "@daily",
      reconcile: false,
    });
  });

  it("takes off, and reconcile alone (the server's schedule)", () => {
    expect(parseOk(config("{ schedule: off }")).environments.prod?.drift?.schedule).toBe("off");
    expect(parseOk(config("{ reconcile: true }")).environments.prod?.drift).toEqual({
      reconcile: true,
    });
  });

  it.each([
    ["every six hours", /five fields/],
    ["0 */6 * * * *", /five fields/],
    ["0 24 * * *", /not a cron schedule: .*range 0-23/],
    ["0 0 31 4,6 *", /not a cron schedule/],
    ["@reboot", /five fields/],
  ])("refuses the schedule %j on its line", (schedule, message) => {
    const result = parseRepoConfig(config(`\n      schedule: "${schedule}"`));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({
        path: "environments.prod.drift.schedule",
        line: 6,
        message: expect.stringMatching(message),
      }),
    ]);
  });

  it("refuses settings it does not know", () => {
    const result = parseRepoConfig(config(`{ schedule: "@daily", notify: true }`));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.message).toMatch(/notify/);
  });
});

describe("splitTrust: drift comes from the tracked branch only", () => {
  it("replaces the head's drift with the tracked branch's, environment by environment", () => {
    const tracked = parseOk(config(`{ schedule: "0 3 * * *" }`));
    const head = parseOk(
      config(`{ schedule: "* * * * *", reconcile: true }`, `{ drift: { schedule: "@hourly" } }`),
    );
    const split = splitTrust(head, tracked);
    expect(split.environments.prod?.drift).toEqual({ schedule: "0 3 * * *", reconcile: false });
    expect(split.environments.dev?.drift).toBeUndefined();
  });

  it("gives an environment the tracked branch lacks, or a repository without one, no drift", () => {
    const head = parseOk(config(`{ schedule: "* * * * *", reconcile: true }`));
    expect(splitTrust(head, undefined).environments.prod?.drift).toBeUndefined();
    const tracked = parseOk(`version: 1
environments:
  dev: {}
`);
    expect(splitTrust(head, tracked).environments.prod?.drift).toBeUndefined();
  });
});
