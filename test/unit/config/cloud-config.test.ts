import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../../src/config/parse-repo-config.js";
import type { RepoConfig } from "../../../src/config/repo-config.js";
import { splitTrust } from "../../../src/config/split-trust.js";
import { resolveCloudSettings } from "../../../src/domain/cloud-settings.js";

const PLAN = "arn:aws:iam::123456789012:role/plan";
const APPLY = "arn:aws:iam::123456789012:role/apply";
const ATTACKER = "arn:aws:iam::999999999999:role/admin";

function parse(text: string) {
  return parseRepoConfig(text);
}
function parseOk(text: string): RepoConfig {
  const result = parse(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const config = (prodCloud: string, stackCloud = "") => `version: 1
environments:
  dev: {}
  prod:
    cloud: ${prodCloud}
stacks:
  - name: network
    dir: infra/network
    environments: [dev, prod]
${stackCloud}`;

describe("bosun.yml cloud", () => {
  it("reads DESIGN's AWS roles per environment", () => {
    const parsed = parseOk(
      config(`{ aws: { plan_role_arn: "${PLAN}", apply_role_arn: "${APPLY}" } }`),
    );
    expect(parsed.environments.prod?.cloud).toEqual({
      aws: { plan_role_arn: PLAN, apply_role_arn: APPLY },
    });
    expect(parsed.environments.dev?.cloud).toBeUndefined();
  });

  it("lists each bad setting with its path and line", () => {
    const result = parse(
      config(`
      aws: { plan_role_arn: "not-an-arn", apply_role_arn: "${APPLY}" }
      azure: { tenant_id: x, subscription_id: x, plan_client_id: x, apply_client_id: x, extra: 1 }`),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.problems.map((p) => [p.path, p]));
    expect(byPath["environments.prod.cloud.aws.plan_role_arn"]).toMatchObject({
      line: 6,
      message: expect.stringMatching(/IAM role ARN/),
    });
    expect(byPath["environments.prod.cloud.azure.tenant_id"]).toMatchObject({ line: 7 });
    expect(result.problems.some((p) => p.message.includes("extra"))).toBe(true);
  });

  it("refuses an empty cloud block", () => {
    const result = parse(config("{}"));
    expect(result.ok).toBe(false);
  });

  it("lets a stack replace an environment's settings, cloud by cloud", () => {
    const gcp = {
      workload_identity_provider:
        "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/bosun",
    };
    expect(
      resolveCloudSettings(
        { aws: { plan_role_arn: PLAN, apply_role_arn: APPLY }, gcp },
        { aws: { plan_role_arn: APPLY, apply_role_arn: APPLY } },
      ),
    ).toEqual({ aws: { plan_role_arn: APPLY, apply_role_arn: APPLY }, gcp });
    expect(resolveCloudSettings(undefined, undefined)).toBeUndefined();
  });
});

describe("splitTrust: cloud comes from the tracked branch only", () => {
  const tracked = parseOk(
    config(`{ aws: { plan_role_arn: "${PLAN}", apply_role_arn: "${APPLY}" } }`),
  );

  it("ignores a pull request that points its plan at another role", () => {
    const head = parseOk(
      config(
        `{ aws: { plan_role_arn: "${ATTACKER}", apply_role_arn: "${ATTACKER}" } }`,
        `    cloud: { aws: { plan_role_arn: "${ATTACKER}", apply_role_arn: "${ATTACKER}" } }`,
      ),
    );
    const split = splitTrust(head, tracked);
    expect(split.environments.prod?.cloud).toEqual(tracked.environments.prod?.cloud);
    expect(split.stacks[0]?.cloud).toBeUndefined();
  });

  it("gives an environment or a stack the tracked branch lacks no cloud at all", () => {
    const head = parseOk(`version: 1
environments:
  dev: { cloud: { aws: { plan_role_arn: "${ATTACKER}", apply_role_arn: "${ATTACKER}" } } }
  prod: {}
  staging: { cloud: { aws: { plan_role_arn: "${ATTACKER}", apply_role_arn: "${ATTACKER}" } } }
stacks:
  - name: network
    dir: infra/network
    environments: [dev, prod, staging]
`);
    const split = splitTrust(head, tracked);
    expect(split.environments.dev?.cloud).toBeUndefined();
    expect(split.environments.staging?.cloud).toBeUndefined();
    expect(split.environments.prod?.cloud).toEqual(tracked.environments.prod?.cloud);
    expect(splitTrust(head, undefined).environments.staging?.cloud).toBeUndefined();
  });
});
