import type { Logger } from "pino";
import type { ComponentPhase } from "../domain/component-phase.js";
import type { EngineKind } from "../domain/engine-kind.js";
import { stateCredentialLifetime } from "../domain/state-credential-lifetime.js";
import { createMasker, type Masker } from "../lib/redact.js";
import type { Engine, EngineError } from "../runner/engine.js";
import type { EngineVersions } from "../runner/engine-versions.js";
import type { BackendWiring } from "../runner/run-component.js";
import type { ComponentRunner } from "./component-runner-port.js";
import { failRunComponent } from "./fail-run-component.js";
import { keepLeaseAlive } from "./keep-lease-alive.js";
import type { LeaseStore } from "./lease-port.js";
import type { Metrics } from "./metrics-port.js";
import { issueCloudIdentity } from "./phase-cloud-identity.js";
import { createPhaseReporter } from "./phase-reporter.js";
import type { PhaseTokenIssuer } from "./phase-token-port.js";
import type { RunComponentRecord, RunStore } from "./run-port.js";
import type { SourceArchiveFetcher } from "./source-port.js";

/** Lends a run the credential and wiring for Bosun's state backend, for the duration of a phase. */
export type StateBackendLender = (record: RunComponentRecord) => Promise<{
  wiring: BackendWiring;
  secrets: string[];
  release(): Promise<void>;
}>;

/** What the runner is handed for one phase. */
export type PhaseContext = Parameters<ComponentRunner["plan"]>[0];

/** The part of the executor's deps (`ExecutorDeps`, held under the job's lease) a phase runs in. */
export interface PhaseContextDeps {
  runner: Pick<ComponentRunner, "engineFailure">;
  runs: RunStore;
  leases: LeaseStore;
  jobId: string;
  leaseMs: number;
  signal?: AbortSignal;
  fetchSource: SourceArchiveFetcher;
  engines: Record<EngineKind, Engine>;
  /** BOSUN_ENGINE_DIR's versions, for stacks that ask for one; without it, `engines` run all. */
  engineVersions?: EngineVersions;
  /** BOSUN_TERRAGRUNT_BIN; `terragrunt` when unset. */
  terragrunt?: string;
  workspaceRoot: string;
  /** BOSUN_DATA_DIR/providers: the provider cache every phase's init shares. */
  providerCache?: string;
  timeoutMs: number;
  hostEnv: NodeJS.ProcessEnv;
  /** BOSUN_ENGINE_PASSTHROUGH_ENV: host variables the engine also receives; none when unset. */
  enginePassthrough?: readonly string[];
  /** Bosun's own credentials, asked for at each job: masked like the phase's secrets. */
  ownCredentials?: () => Iterable<string>;
  stateBackend: StateBackendLender | undefined;
  /** Bosun's OIDC issuer, for components whose spec names a `cloud`. */
  phaseTokens?: PhaseTokenIssuer;
  /** Phase durations and engine exit codes, for /metrics. */
  metrics?: Metrics;
}

/**
 * Builds the runner's context (masking, phase reporting, state backend) and runs `work` in it.
 * A failure `work` throws ends the component FAILED with a masked reason; it is not rethrown.
 */
export async function runInPhaseContext(
  deps: PhaseContextDeps,
  record: RunComponentRecord,
  secrets: Record<string, string>,
  log: Logger,
  work: (context: PhaseContext, current: () => ComponentPhase) => Promise<ComponentPhase>,
): Promise<ComponentPhase> {
  const enginePassthrough = deps.enginePassthrough ?? [];
  const masker = createMasker([
    ...Object.values(secrets),
    ...(deps.ownCredentials?.() ?? []),
    ...maskedPassthrough(deps.hostEnv, enginePassthrough),
  ]);
  let lent: Awaited<ReturnType<StateBackendLender>> | undefined;
  const applying = record.phase === "CONFIRMED";
  let current: ComponentPhase = applying ? "APPLYING" : "PREPARING";
  const lease = keepLeaseAlive(deps, record, log);
  // The state credential ends on its own (src/domain/state-credential-lifetime.ts): the job is
  // stopped before it does, rather than leave the engine facing refusals mid-apply.
  const { jobDeadlineMs } = stateCredentialLifetime(deps.timeoutMs);
  let deadline: AbortSignal | undefined;
  try {
    lent = deps.stateBackend ? await deps.stateBackend(record) : undefined;
    if (lent) deadline = AbortSignal.timeout(jobDeadlineMs);
    masker.add(...(lent?.secrets ?? []));
    const cloudIdentity = deps.phaseTokens
      ? await issueCloudIdentity(
          deps.phaseTokens,
          record,
          applying ? "apply" : "plan",
          deps.timeoutMs,
          masker,
        )
      : undefined;
    const reporter = createPhaseReporter(
      deps,
      record,
      masker,
      applying,
      (phase) => (current = phase),
    );
    return await work(
      {
        spec: record.spec,
        engine: deps.engines[record.spec.engine],
        ...(deps.engineVersions
          ? {
              pickEngine: (wanted) => deps.engineVersions!.pick(record.spec.engine, wanted),
            }
          : {}),
        fetchSource: () =>
          deps.fetchSource({
            installationId: record.installationId,
            repositoryFullName: record.repositoryFullName,
            sha: record.spec.sourceSha ?? record.commitSha,
          }),
        workspaceRoot: deps.workspaceRoot,
        terragrunt: deps.terragrunt ?? "terragrunt",
        providerCache: deps.providerCache,
        timeoutMs: deps.timeoutMs,
        signal: deadline ? AbortSignal.any([lease.signal, deadline]) : lease.signal,
        secrets,
        managedBackend: lent?.wiring,
        cloudIdentity,
        masker,
        reporter,
        hostEnv: deps.hostEnv,
        enginePassthrough,
      },
      () => current,
    );
  } catch (error) {
    const reason = deadline?.aborted
      ? `stopped after ${Math.round(jobDeadlineMs / 1000)} s: the job outlived BOSUN_RUN_TIMEOUT and its margin, after which its state credential expires`
      : await describeFailure(error, deps.runner.engineFailure(error), masker);
    log.warn({ reason, phase: current }, "component failed");
    await failRunComponent(deps, record, current, reason);
    return "FAILED";
  } finally {
    lease.stop();
    await lent?.release();
  }
}

/**
 * The values of passed-through host variables masked like secrets: those of 8 characters or more.
 * Bosun cannot tell a passed-through credential from passed-through configuration. Shorter values
 * (AWS_PROFILE=prod, a flag such as 1 or true) are left alone: masking them would blank common
 * words all over the logs, making them unreadable and outlining the value besides, and no
 * credential is that short. Longer configuration (a region, a file path) is masked along with the
 * credentials: `***` where a region would be is the price of never printing a passed-through key.
 */
function maskedPassthrough(host: NodeJS.ProcessEnv, names: readonly string[]): string[] {
  return names
    .map((name) => host[name])
    .filter((value): value is string => value !== undefined && value.length >= 8);
}

function describeFailure(
  error: unknown,
  engine: EngineError | undefined,
  masker: Masker,
): Promise<string> {
  if (engine) {
    const reason =
      engine.code === "stale-plan"
        ? `stale: ${engine.message}; run /plan to re-plan`
        : engine.message;
    return masker.maskText(
      engine.stderrTail.trim() ? `${reason}\n${engine.stderrTail.trim()}` : reason,
    );
  }
  return masker.maskText(error instanceof Error ? error.message : String(error));
}
