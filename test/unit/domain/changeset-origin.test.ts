import { describe, expect, it } from "vitest";
import {
  choosePromotionSource,
  type PromotionCandidate,
  revertSpec,
} from "../../../src/domain/changeset-origin.js";
import type { ComponentSpec } from "../../../src/domain/component-spec.js";

const spec = (overrides: Partial<ComponentSpec> = {}): ComponentSpec => ({
  stack: "app",
  environment: "dev",
  dir: "infra/app",
  engine: "opentofu",
  varFiles: [],
  variables: { region: "eu-west-1" },
  state: undefined,
  ...overrides,
});

describe("revertSpec", () => {
  const dependsOn = [
    { stack: "network", componentId: "c-network", inputs: { vpc_id: "vpc_id", token: "token" } },
  ];
  const policies = [{ name: "no-deletes", deny: "false" }];

  it("replays the previous revision: its commit and its recorded inputs, upstream order kept", () => {
    const result = revertSpec(
      {
        applied: { commitSha: "bbb", inputs: {}, spec: spec({ variables: { region: "x" } }) },
        previous: {
          commitSha: "aaa",
          inputs: {
            variables: { region: "eu-west-1", vpc_id: "vpc-old" },
            secrets: ["TF_VAR_token"],
          },
          spec: spec({ dependsOn, targets: ["null_resource.app"], autodeploy: true }),
        },
      },
      { policies, production: true, stackWideSecrets: true },
    );
    expect(result).toEqual({
      change: "update",
      spec: spec({
        sourceSha: "aaa",
        variables: { region: "eu-west-1", vpc_id: "vpc-old" },
        autodeploy: false,
        policies,
        production: true,
        stackWideSecrets: true,
        // vpc_id is replayed as recorded; only the sensitive token is read from the upstream again.
        dependsOn: [{ stack: "network", componentId: "c-network", inputs: { token: "token" } }],
      }),
    });
  });

  it("turns a create into a destroy made with the configuration it was created with", () => {
    const result = revertSpec(
      {
        applied: {
          commitSha: "bbb",
          inputs: { variables: { region: "eu-west-1" } },
          spec: spec({ varFiles: ["env/${environment}.tfvars"] }),
        },
        previous: undefined,
      },
      { policies: [], production: false, stackWideSecrets: true },
    );
    expect(result.change).toBe("destroy");
    expect(result.spec).toMatchObject({
      destroy: true,
      sourceSha: "bbb",
      varFiles: ["env/${environment}.tfvars"],
      autodeploy: false,
    });
  });

  it("withholds stack-wide secrets when the tracked branch no longer declares the environment", () => {
    const result = revertSpec(
      {
        applied: { commitSha: "bbb", inputs: {}, spec: spec() },
        previous: { commitSha: "aaa", inputs: {}, spec: spec({ stackWideSecrets: true }) },
      },
      { policies: [], production: false, stackWideSecrets: false },
    );
    expect(result.spec.stackWideSecrets).toBe(false);
  });
});

describe("choosePromotionSource", () => {
  const run = (
    environment: string,
    commitSha: string,
    phases: ("FINISHED" | "FAILED" | "UNCONFIRMED")[] = ["FINISHED"],
  ): PromotionCandidate => ({
    runId: `run-${environment}-${commitSha}`,
    changesetId: `cs-${environment}`,
    environment,
    commitSha,
    components: phases.map((phase, index) => ({
      stack: `s${index}`,
      changeKind: "update",
      phase,
      applied: phase === "FINISHED",
    })),
  });

  it("takes promote_from's latest run when it applied the pull request's head", () => {
    const dev = run("dev", "head");
    expect(choosePromotionSource([dev, run("qa", "head")], "prod", "dev", "head")).toEqual({
      kind: "source",
      run: dev,
    });
  });

  it("refuses when promote_from has not applied, or applied an older head", () => {
    expect(
      choosePromotionSource([run("dev", "head", ["UNCONFIRMED"])], "prod", "dev", "head"),
    ).toMatchObject({
      kind: "not-applied",
      reason: expect.stringMatching(/not been applied in dev/),
    });
    expect(choosePromotionSource([run("dev", "old")], "prod", "dev", "head")).toMatchObject({
      kind: "not-applied",
      reason: expect.stringMatching(/dev applied old, but the pull request's head is now head/),
    });
    expect(
      choosePromotionSource([run("dev", "head", ["FINISHED", "FAILED"])], "prod", "dev", "head"),
    ).toMatchObject({ kind: "not-applied" });
  });

  it("without promote_from, takes the newest environment that applied; once merged, any commit", () => {
    const qa = run("qa", "merged");
    expect(
      choosePromotionSource([run("prod", "merged"), qa], "prod", undefined, undefined),
    ).toEqual({ kind: "source", run: qa });
    expect(choosePromotionSource([run("prod", "head")], "prod", undefined, "head")).toMatchObject({
      kind: "not-applied",
    });
  });
});
