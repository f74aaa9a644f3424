import type { ComponentPhase } from "../../../src/domain/component-phase.js";
import type { ComponentSpec } from "../../../src/domain/component-spec.js";
import { summarisePlan } from "../../../src/domain/plan-summary.js";
import type { RunComponentView, RunView } from "../../../src/services/run-view-port.js";
import { componentIdOf } from "./component-store.js";

/**
 * Builds the runs a use case reads, with defaults that describe the common case (a proposed run
 * of pull request #7 in dev of octo/infra, checked, nothing confirmed): a test spells out only
 * what its decision turns on.
 */
export function runView(
  runId: string,
  components: readonly RunComponentView[],
  overrides: Partial<Omit<RunView, "runId" | "components">> = {},
): RunView {
  const environment = overrides.environment ?? "dev";
  return {
    runId,
    kind: "proposed",
    commitSha: "a".repeat(40),
    trigger: "pull_request",
    triggeredBy: "dev",
    machineUser: false,
    engineVersion: undefined,
    runtimeConfig: undefined,
    changesetId: `changeset:${environment}`,
    pullRequestNumber: 7,
    checkRunId: undefined,
    confirmedBy: undefined,
    deploymentId: undefined,
    deploymentState: undefined,
    reportDigest: undefined,
    scanFindings: [],
    repositoryId: 42,
    repositoryFullName: "octo/infra",
    defaultBranch: "main",
    installationId: 1,
    environment,
    production: false,
    baseHeads: Object.fromEntries(components.map((c) => [c.componentId, null])),
    ...overrides,
    components: [...components],
  };
}

/**
 * One component of a run (in dev unless `spec.environment` says otherwise), planned with one
 * resource to create unless `phase` says it has not planned yet. Its id is `<runId>/<stack>`.
 */
export function runComponent(
  runId: string,
  stack: string,
  phase: ComponentPhase,
  overrides: Partial<Omit<RunComponentView, "spec">> & { spec?: Partial<ComponentSpec> } = {},
): RunComponentView {
  const environment = overrides.spec?.environment ?? "dev";
  const planned = !["QUEUED", "DEFERRED", "PREPARING", "INITIALIZING", "PLANNING"].includes(phase);
  const { spec, ...rest } = overrides;
  return {
    runComponentId: `${runId}/${stack}`,
    componentId: componentIdOf(stack, environment),
    stack,
    changeKind: "update",
    phase,
    planDigest: planned ? `sha256:${stack}` : undefined,
    plan: planned
      ? {
          summary: summarisePlan({
            resource_changes: [
              {
                address: `terraform_data.${stack}`,
                mode: "managed",
                type: "terraform_data",
                change: { actions: ["create"], before: null, after: {} },
              },
            ],
          }),
          planText: `+ terraform_data.${stack}`,
          diagnostics: [],
        }
      : undefined,
    failureReason: undefined,
    applied: false,
    wave: 0,
    ...rest,
    spec: {
      stack,
      environment,
      dir: `infra/${stack}`,
      engine: "opentofu",
      varFiles: [],
      variables: {},
      state: undefined,
      ...spec,
    },
  };
}
