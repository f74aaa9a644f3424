import { randomUUID } from "node:crypto";
import { PLAN_ONLY_KINDS } from "../domain/run-kind.js";
import type { Logger } from "pino";
import { digest, type SealKeys, seal } from "../lib/seal.js";
import { revisionOutputsContext, savedWorkspaceContext } from "../lib/seal-contexts.js";
import { evaluatePrePlanPolicies } from "../policy/evaluate-pre-plan-policies.js";
import type { EngineKind } from "../domain/engine-kind.js";
import { receivesStackWideSecrets } from "../domain/component-spec.js";
import { engineLabel } from "../domain/engine-constraint.js";
import type { Engine, EngineOutputs } from "../runner/engine.js";
import type { EngineVersions } from "../runner/engine-versions.js";
import type { ComponentRunner } from "./component-runner-port.js";
import { evaluateComponentPolicies, policyContext } from "./component-policies.js";
import { EXECUTOR_ACTOR, failRunComponent } from "./fail-run-component.js";
import { openWorkspace } from "./open-saved-workspace.js";
import type { PhaseTokenIssuer } from "./phase-token-port.js";
import type { Metrics } from "./metrics-port.js";
import { runInPhaseContext, type StateBackendLender } from "./run-in-phase-context.js";
import { upstreamInputs } from "./upstream-inputs.js";
import type { ComponentPhase } from "../domain/component-phase.js";
import type { JobQueue } from "./queue-port.js";
import type { LeaseStore } from "./lease-port.js";
import type { RunComponentRecord, RunStore } from "./run-port.js";
import type { SecretStore } from "./secret-port.js";
import type { SourceArchiveFetcher } from "./source-port.js";

export type { StateBackendLender };

/** A run component's job: plan it, or apply its confirmed plan. */
export interface RunComponentJob {
  runComponentId: string;
  action: "plan" | "apply";
}

export interface ExecutorDeps {
  runner: ComponentRunner;
  runs: RunStore;
  leases: LeaseStore;
  /** This worker process, named in the leases it takes. */
  workerId: string;
  /** The lease is renewed three times per this period while a phase runs. */
  leaseMs: number;
  secrets: SecretStore;
  fetchSource: SourceArchiveFetcher;
  engines: Record<EngineKind, Engine>;
  /** BOSUN_TERRAGRUNT_BIN: what `engine: terragrunt` stacks run through; `terragrunt` unset. */
  terragrunt?: string;
  /** BOSUN_ENGINE_DIR's versions, for stacks that ask for one; without it, `engines` run all. */
  engineVersions?: EngineVersions;
  encryptionKey: SealKeys;
  workspaceRoot: string;
  /** BOSUN_DATA_DIR/providers: the provider cache every phase's init shares. */
  providerCache?: string;
  timeoutMs: number;
  hostEnv: NodeJS.ProcessEnv;
  /** BOSUN_ENGINE_PASSTHROUGH_ENV: host variables the engine also receives; none when unset. */
  enginePassthrough?: readonly string[];
  /**
   * Bosun's own credentials (webhook secret, private key, encryption key, database password,
   * OAuth client secret, live installation tokens), asked for at each job because installation
   * tokens come and go: masked like the phase's secrets.
   */
  ownCredentials?: () => Iterable<string>;
  stateBackend: StateBackendLender | undefined;
  /** Bosun's OIDC issuer: a phase of a component whose spec names a `cloud` gets its token. */
  phaseTokens?: PhaseTokenIssuer;
  /** Phase durations and engine exit codes, for /metrics. */
  metrics?: Metrics;
  /** The state version an apply produced, for its revision (managed state only). */
  stateVersionOf?: (componentId: string) => Promise<string | undefined>;
  log: Logger;
  signal?: AbortSignal;
}

export const APPLY_INTERRUPTED = "apply interrupted: state may be partially changed";
export const SKIPPED_APPLYING = "apply skipped: the stack sets BOSUN_SKIP_APPLYING";

/**
 * Executes one component's job and records every step: phase rows with their logs, lifecycle
 * transitions (each an event) and the plan or revision. Failures end the component FAILED with a
 * reason a user can act on; they are not thrown, so the job is not retried behind the user's back.
 * The job holds the component's lease while it runs: it claims the component, renews the lease,
 * and every transition it makes is fenced by its job id, so a worker that was presumed lost (and
 * replaced) can no longer change anything.
 */
export async function executeRunComponent(
  deps: ExecutorDeps,
  job: RunComponentJob,
  /** The lease token: the queue job's id when a worker runs it. */
  jobId: string = randomUUID(),
): Promise<ComponentPhase | undefined> {
  const record = await deps.runs.loadRunComponent(job.runComponentId);
  const log = deps.log.child({
    runId: record?.runId,
    runComponentId: job.runComponentId,
    action: job.action,
  });
  if (!record) {
    log.warn("run component not found; nothing to do");
    return undefined;
  }
  const leased: LeasedDeps = { ...deps, jobId };
  return job.action === "plan" ? plan(leased, record, log) : apply(leased, record, log);
}

type LeasedDeps = ExecutorDeps & { jobId: string };

async function plan(
  deps: LeasedDeps,
  record: RunComponentRecord,
  log: Logger,
): Promise<ComponentPhase | undefined> {
  // Only a queued component is planned: one a lost worker left is queued again by recovery.
  if (
    !(await deps.leases.claim(
      record.runComponentId,
      { from: "QUEUED", to: "PREPARING", cause: "plan started" },
      { workerId: deps.workerId, jobId: deps.jobId },
    ))
  ) {
    log.info({ phase: record.phase }, "not plannable in this phase; skipped");
    return undefined;
  }
  // docs/design.md "Trust": a policy that denies on the scan stops the plan before the pull
  // request's code runs, so the engine is never started.
  const gate = evaluatePrePlanPolicies(record.spec.policies ?? [], policyContext(record));
  if (gate.denials.length > 0) {
    const reason = gate.denials
      .map((denial) => `denied by policy ${denial.policy}: ${denial.message}`)
      .join("\n");
    await failRunComponent(
      deps,
      record,
      "PREPARING",
      `${reason}\n(before the plan: the engine did not run)`,
    );
    log.info(
      { policies: gate.denials.map((d) => d.policy) },
      "plan denied by policy before it ran",
    );
    return "FAILED";
  }
  const secrets = await secretsOf(deps, record, "plan");
  const upstream = await upstreamInputs(deps, record);
  if (typeof upstream === "string") {
    await failRunComponent(deps, record, "PREPARING", upstream);
    return "FAILED";
  }
  const withInputs: RunComponentRecord = {
    ...record,
    spec: { ...record.spec, variables: { ...record.spec.variables, ...upstream.variables } },
  };
  return runInPhaseContext(
    deps,
    withInputs,
    { ...secrets, ...upstream.secrets },
    log,
    async (context, current) => {
      const planned = await deps.runner.plan(context, {
        ...(record.spec.destroy ? { destroy: true } : {}),
        ...(record.spec.targets?.length ? { targets: record.spec.targets } : {}),
      });
      await deps.runs.setEngineVersion(
        record.runId,
        engineLabel(record.spec.engine, planned.engineVersion),
      );
      const verdict = evaluateComponentPolicies(record, planned.plan);
      const policyFindings = [
        ...verdict.denials.map((outcome) => ({ ...outcome, level: "deny" as const })),
        ...verdict.warnings.map((outcome) => ({ ...outcome, level: "warn" as const })),
      ];
      for (const finding of policyFindings)
        finding.message = await context.masker.maskText(finding.message);
      const denied = verdict.denials.length > 0;
      const sealedWorkspace =
        planned.savedWorkspace && !denied
          ? seal(
              deps.encryptionKey,
              planned.savedWorkspace,
              savedWorkspaceContext(record.runComponentId),
            )
          : undefined;
      await deps.runs.savePlan(record.runComponentId, {
        planDigest: planned.planDigest,
        summary: planned.summary,
        planText: planned.planText,
        diagnostics: planned.diagnostics,
        policyFindings,
        stepWarnings: planned.stepWarnings,
        sealedWorkspace,
        workspaceDigest:
          sealedWorkspace && planned.savedWorkspace ? digest(planned.savedWorkspace) : undefined,
      });
      if (denied) {
        // A denial fails the plan: nothing of it can be applied (its workspace is not even kept).
        const reason = policyFindings
          .filter((finding) => finding.level === "deny")
          .map((finding) => `denied by policy ${finding.policy}: ${finding.message}`)
          .join("\n");
        await failRunComponent(deps, record, current(), reason);
        log.info({ policies: policyFindings.map((f) => f.policy) }, "plan denied by policy");
        return "FAILED";
      }
      // A plan-only run (a writer's "Plan only", a drift check) ends at its plan: nothing of it
      // ever waits for an approval.
      const planOnly = PLAN_ONLY_KINDS.includes(record.runKind);
      const next = planned.outcome === "changes" && !planOnly ? "UNCONFIRMED" : "FINISHED";
      await deps.runs.transition(
        record.runComponentId,
        [current()],
        next,
        planned.outcome === "changes"
          ? planOnly
            ? "planned with changes; a plan-only run is never applied"
            : "planned with changes"
          : "no changes",
        EXECUTOR_ACTOR,
        deps.jobId,
      );
      log.info({ outcome: planned.outcome, counts: planned.summary.counts }, "planned");
      return next;
    },
  );
}

async function apply(
  deps: LeasedDeps,
  record: RunComponentRecord,
  log: Logger,
): Promise<ComponentPhase | undefined> {
  if (record.phase === "CONFIRMED" && record.spec.skipApplying) {
    // BOSUN_SKIP_APPLYING: the run ends confirmed but never applied, and says so.
    await deps.runs.setFailureReason(record.runComponentId, SKIPPED_APPLYING);
    await deps.runs.transition(
      record.runComponentId,
      ["CONFIRMED"],
      "FINISHED",
      SKIPPED_APPLYING,
      EXECUTOR_ACTOR,
    );
    return "FINISHED";
  }
  // Invariant 2: only a confirmed component is applied; an interrupted apply is never re-run.
  if (
    !(await deps.leases.claim(
      record.runComponentId,
      { from: "CONFIRMED", to: "APPLYING", cause: "apply started" },
      { workerId: deps.workerId, jobId: deps.jobId },
    ))
  ) {
    log.info({ phase: record.phase }, "not confirmed; apply skipped");
    return undefined;
  }
  const startedAt = new Date();
  const saved = openWorkspace(deps, record);
  if (typeof saved === "string") {
    await failRunComponent(deps, record, "APPLYING", saved);
    return "FAILED";
  }
  const secrets = await secretsOf(deps, record, "apply");
  return runInPhaseContext(deps, record, secrets, log, async (context) => {
    let stepFailure: string | undefined;
    const applied = await deps.runner.apply(context, saved.bytes).catch((error: unknown) => {
      const despite = deps.runner.appliedDespite(error);
      if (!despite) throw error;
      stepFailure = despite.reason;
      return despite.applied;
    });
    await deps.runs.setEngineVersion(
      record.runId,
      engineLabel(record.spec.engine, applied.engineVersion),
    );
    const { clear, sensitive } = splitOutputs(applied.outputs);
    await deps.runs.recordRevision({
      runComponentId: record.runComponentId,
      planDigest: saved.planDigest,
      inputs: saved.inputs,
      outputs: clear,
      sealedOutputs:
        Object.keys(sensitive).length > 0
          ? seal(
              deps.encryptionKey,
              Buffer.from(JSON.stringify(sensitive)),
              revisionOutputsContext(record.componentId),
            )
          : undefined,
      stateVersionId: await deps.stateVersionOf?.(record.componentId),
      startedAt,
    });
    if (stepFailure !== undefined) {
      // Recorded first: the revision and deployed head say what the apply did.
      await failRunComponent(deps, record, "APPLYING", await context.masker.maskText(stepFailure));
      log.info("applied, then an after_apply step failed");
      return "FAILED";
    }
    await deps.runs.transition(
      record.runComponentId,
      ["APPLYING"],
      "FINISHED",
      "applied",
      EXECUTOR_ACTOR,
      deps.jobId,
    );
    log.info({ outputs: Object.keys(applied.outputs) }, "applied");
    return "FINISHED";
  });
}

/** The secrets of the component's own stack and environment that this phase receives. */
function secretsOf(
  deps: Pick<ExecutorDeps, "secrets">,
  { repositoryId, spec }: RunComponentRecord,
  phase: "plan" | "apply",
): Promise<Record<string, string>> {
  return deps.secrets.forPhase(repositoryId, spec.stack, spec.environment, phase, {
    stackWide: receivesStackWideSecrets(spec),
  });
}

function splitOutputs(outputs: EngineOutputs): {
  clear: Record<string, unknown>;
  sensitive: Record<string, unknown>;
} {
  const clear: Record<string, unknown> = {};
  const sensitive: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(outputs)) {
    if (output.sensitive) sensitive[name] = output.value;
    else clear[name] = output.value;
  }
  return { clear, sensitive };
}

/** Queues a component's job; the component id serialises jobs of one component across workers. */
export async function enqueueRunComponent(
  queue: JobQueue,
  job: RunComponentJob,
  componentId: string,
): Promise<void> {
  await queue.send("run-component", job, { singletonKey: componentId });
}
