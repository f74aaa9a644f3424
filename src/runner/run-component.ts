import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { type ComponentSpec, renderForEnvironment } from "../domain/component-spec.js";
import { engineLabel, engineName } from "../domain/engine-constraint.js";
import { type PlanSummary, summarisePlan } from "../domain/plan-summary.js";
import { collectSensitiveValues } from "../domain/sensitive-values.js";
import { digest } from "../lib/seal.js";
import { declaresBackend } from "./declares-backend.js";
import type { Engine, EngineOutputs, Invocation } from "./engine.js";
import type { PickedEngine, WantedVersion } from "./engine-versions.js";
import { requiredVersion } from "./required-version.js";
import { runSteps, type StepLabel, type StepPlace, type StepWarning } from "./custom-steps.js";
import type { PlanJson } from "./plan-json.js";
import { cloudIdentityFiles, type CloudPhaseIdentity } from "./cloud-identity.js";
import { engineEnvironment } from "./engine-environment.js";
import type { Masker } from "../lib/redact.js";
import { packSavedWorkspace, unpackSavedWorkspace } from "./saved-workspace.js";
import { mergeProviderCache, seedProviderCache } from "./provider-cache.js";
import { prepareSourceTree } from "./source-tree.js";
import { diagnosticsOf, parseUiStream, type UiDiagnosticBody } from "./ui-stream.js";

export const RUNNER_PHASES = ["PREPARING", "INITIALIZING", "PLANNING", "APPLYING"] as const;
export type RunnerPhase = (typeof RUNNER_PHASES)[number];

/** Where a phase's (already masked) log lines and its end go; the service persists them. */
export interface PhaseReporter {
  /** `step`: a custom step of the phase (custom-steps.ts), an entry of its own on the timeline. */
  start(
    phase: RunnerPhase,
    step?: StepLabel,
  ): Promise<(stream: "stdout" | "stderr", line: string) => void>;
  finish(
    phase: RunnerPhase,
    outcome: { exitCode: number | undefined; error: string | undefined; summary?: string },
    step?: StepLabel,
  ): Promise<void>;
}

/** Bosun's own state backend for this component: an override file plus the engine's env. */
export interface BackendWiring {
  overrideFileName: string;
  overrideContent: string;
  env: Record<string, string>;
}

export interface ComponentRunContext {
  spec: ComponentSpec;
  /** The operator's default engine for the spec's kind. */
  engine: Engine;
  /**
   * The engine for a version constraint (BOSUN_ENGINE_DIR); without it every component runs on
   * {@link engine}.
   */
  pickEngine?: (wanted: WantedVersion) => Promise<PickedEngine>;
  fetchSource: () => Promise<Readable | Buffer>;
  /** BOSUN_TERRAGRUNT_BIN: the launcher of a spec with `terragrunt` set. */
  terragrunt?: string;
  /** A fresh directory per execution is made under it and deleted afterwards. */
  workspaceRoot: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** This phase's secrets by variable name; masked everywhere. */
  secrets: Record<string, string>;
  /** Used when the stack keeps its state with Bosun. */
  managedBackend: BackendWiring | undefined;
  /** The phase's cloud tokens and roles, when its spec names a cloud; the tokens are masked. */
  cloudIdentity?: CloudPhaseIdentity | undefined;
  masker: Masker;
  reporter: PhaseReporter;
  hostEnv: NodeJS.ProcessEnv;
  /** BOSUN_ENGINE_PASSTHROUGH_ENV: the host variables the engine also receives. */
  enginePassthrough: readonly string[];
  /** The shared provider cache (provider-cache.ts); unset, every init downloads its providers. */
  providerCache?: string | undefined;
}

export interface PlannedComponent {
  outcome: "changes" | "no-changes";
  /** The parsed `show -json` plan, for policies; it holds sensitive values unmasked. */
  plan: PlanJson;
  summary: PlanSummary;
  /** The human plan (`show`), masked. */
  planText: string;
  diagnostics: UiDiagnosticBody[];
  /** Digest of the saved plan file: what approving names. */
  planDigest: string;
  /** Plan file, lock file and inputs; the caller seals it. Undefined when there is nothing to apply. */
  savedWorkspace: Buffer | undefined;
  engineVersion: string;
  /** Values the engine marked sensitive, for masking elsewhere. */
  sensitiveValues: string[];
  /** Custom steps that failed with `on_failure: warn`: autodeploy holds. */
  stepWarnings: StepWarning[];
}

const PLAN_FILE = "bosun.tfplan";
const LOCK_FILE = ".terraform.lock.hcl";

export async function planComponent(
  context: ComponentRunContext,
  options: { destroy?: boolean; targets?: readonly string[] } = {},
): Promise<PlannedComponent> {
  return withWorkspace(context, async (workspace) => {
    const { stackDir, engine, pickedVersion } = await preparePhase(context, workspace);
    const at = invocation(context, workspace, stackDir);
    const steps = stepPlace(context, engine, at, workspace, "plan");
    const { version: engineVersion, warnings } = await initWithSteps(context, engine, at, steps);
    warnings.push(...(await runSteps(steps, "before_plan", context.spec.steps?.before_plan)));

    const planned = await phase(context, "PLANNING", async (log) => {
      const varFiles = context.spec.varFiles.map((file) =>
        renderForEnvironment(file, context.spec.environment),
      );
      const planned = await engine.plan(log.at(at), {
        planFile: PLAN_FILE,
        varFiles,
        ...(options.destroy ? { destroy: true } : {}),
        ...(options.targets ? { targets: options.targets } : {}),
      });
      const diagnostics = diagnosticsOf(parseUiStream(planned.result.stdout));
      const { plan, text: planJson } = await engine.showJson(at, PLAN_FILE);
      if (context.spec.steps?.after_plan) await writeFile(steps.env.BOSUN_PLAN_JSON, planJson);
      const sensitiveValues = collectSensitiveValues(plan);
      context.masker.add(...sensitiveValues);
      const summary = summarisePlan(plan);
      const planText = await context.masker.maskText(await engine.showText(at, PLAN_FILE));
      const planFile = await readFile(path.join(stackDir, PLAN_FILE));
      const lockFile = await readFile(path.join(stackDir, LOCK_FILE)).catch(() => undefined);
      const outcome = planned.outcome;
      return {
        result: {
          outcome,
          plan,
          summary,
          planText,
          // Masked now that the plan's sensitive values are known: they go to check runs,
          // annotations and the PR comment as they are stored.
          diagnostics: await Promise.all(diagnostics.map((d) => maskDiagnostic(context.masker, d))),
          planDigest: digest(planFile),
          savedWorkspace:
            outcome === "changes"
              ? packSavedWorkspace({
                  planFile,
                  lockFile,
                  varFiles,
                  engineVersion: pickedVersion,
                  inputs: {
                    variables: context.spec.variables,
                    secrets: Object.keys(context.secrets).sort(),
                  },
                })
              : undefined,
          engineVersion,
          sensitiveValues,
          stepWarnings: [],
        },
        exitCode: planned.result.exitCode,
      };
    });
    // A failing after_plan step throws: the plan is never saved, so nothing of it can be applied.
    const afterPlan = await runSteps(steps, "after_plan", context.spec.steps?.after_plan);
    return { ...planned, stepWarnings: [...warnings, ...afterPlan] };
  });
}

export interface AppliedComponent {
  outputs: EngineOutputs;
  engineVersion: string;
}

export async function applyComponent(
  context: ComponentRunContext,
  savedWorkspace: Buffer,
): Promise<AppliedComponent> {
  const saved = unpackSavedWorkspace(savedWorkspace);
  return withWorkspace(context, async (workspace) => {
    const restore = async (dir: string) => {
      await writeFile(path.join(dir, PLAN_FILE), saved.planFile);
      if (saved.lockFile) await writeFile(path.join(dir, LOCK_FILE), saved.lockFile);
    };
    const { stackDir, engine } = await preparePhase(
      context,
      workspace,
      restore,
      saved.engineVersion,
    );
    const at = invocation(context, workspace, stackDir);
    const steps = stepPlace(context, engine, at, workspace, "apply");
    const { version: engineVersion } = await initWithSteps(context, engine, at, steps);
    const { before_apply: before, after_apply: after } = context.spec.steps ?? {};
    if (before || after) {
      await writeFile(steps.env.BOSUN_PLAN_JSON, (await engine.showJson(at, PLAN_FILE)).text);
    }
    await runSteps(steps, "before_apply", before);
    const applied = await applyPhase(context, engine, at, engineVersion);
    try {
      await runSteps(steps, "after_apply", after);
    } catch (error) {
      // The apply has happened: its outputs and revision must not be lost to a step.
      throw new AppliedThenFailed(applied, error);
    }
    return applied;
  });
}

/** An `after_apply` step failed after a successful apply, whose result it carries. */
export class AppliedThenFailed extends Error {
  override readonly name = "AppliedThenFailed";
  constructor(
    readonly applied: AppliedComponent,
    cause: unknown,
  ) {
    super(
      `${cause instanceof Error ? cause.message : String(cause)} (after the apply, which was applied)`,
      { cause },
    );
  }
}

async function applyPhase(
  context: ComponentRunContext,
  engine: Engine,
  at: Invocation,
  engineVersion: string,
): Promise<AppliedComponent> {
  return phase(context, "APPLYING", async (log) => {
    const applied = await engine.apply(log.at(at), PLAN_FILE);
    const outputs = await engine.outputs(at);
    context.masker.add(
      ...Object.values(outputs)
        .filter((output) => output.sensitive)
        .flatMap((output) => leafStrings(output.value)),
    );
    return { result: { outputs, engineVersion }, exitCode: applied.exitCode };
  });
}

async function withWorkspace<T>(
  context: ComponentRunContext,
  work: (workspace: string) => Promise<T>,
): Promise<T> {
  await mkdir(context.workspaceRoot, { recursive: true });
  const workspace = await mkdtemp(path.join(context.workspaceRoot, "ws-"));
  try {
    return await work(workspace);
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

/** PREPARING: the source at the run's commit, cut to the stack, and the backend wiring. */
async function preparePhase(
  context: ComponentRunContext,
  workspace: string,
  restore?: (stackDir: string) => Promise<void>,
  plannedVersion?: string,
): Promise<{ stackDir: string; engine: Engine; pickedVersion: string | undefined }> {
  return phase(context, "PREPARING", async (log) => {
    const repoDir = path.join(workspace, "src");
    const archive = await context.fetchSource();
    const { spec } = context;
    const tree = await prepareSourceTree({
      archive,
      repoDir,
      stackDir: spec.dir,
      varFiles: spec.varFiles.map((file) =>
        path.posix.join(spec.dir, renderForEnvironment(file, spec.environment)),
      ),
      full: spec.source === "full",
    });
    log.line("stdout", `source: ${tree.files} files; kept ${tree.keptPaths.join(", ")}`);
    const stackDir = path.join(repoDir, context.spec.dir);
    if (await usesManagedBackend(context, stackDir)) {
      const wiring = context.managedBackend;
      if (!wiring)
        throw new Error("the stack keeps its state with Bosun, but no state backend is available");
      await writeFile(path.join(stackDir, wiring.overrideFileName), wiring.overrideContent);
      log.line("stdout", "state: Bosun's managed http backend");
    } else {
      log.line("stdout", "state: the stack's own backend");
    }
    await mkdir(path.join(workspace, "home"), { recursive: true });
    await writeCloudIdentity(context, workspace, log);
    await restore?.(stackDir);
    const picked = await pickEngine(context, stackDir, log, plannedVersion);
    // The version picked is the engine's: Terragrunt runs it (TERRAGRUNT_TFPATH), pinned the same.
    const engine = context.spec.terragrunt
      ? picked.engine.through(context.terragrunt ?? "terragrunt")
      : picked.engine;
    if (context.spec.terragrunt) log.line("stdout", "engine: through Terragrunt");
    return {
      result: { stackDir, engine, pickedVersion: picked.version },
      exitCode: undefined,
    };
  });
}

/** The phase's token files, readable by the engine alone (README "Cloud identity"). */
async function writeCloudIdentity(
  context: ComponentRunContext,
  workspace: string,
  log: PhaseLog,
): Promise<void> {
  const { files } = cloudIdentityFiles(workspace, context.cloudIdentity);
  for (const file of files) {
    await mkdir(path.dirname(file.path), { recursive: true, mode: 0o700 });
    await writeFile(file.path, file.content, { mode: 0o600 });
  }
  const { aws, azure, gcp } = context.cloudIdentity ?? {};
  if (aws) log.line("stdout", `cloud: AWS role ${aws.roleArn}`);
  if (azure) log.line("stdout", `cloud: Azure client ${azure.clientId}`);
  if (gcp) log.line("stdout", `cloud: GCP ${gcp.serviceAccount ?? gcp.workloadIdentityProvider}`);
}

async function usesManagedBackend(
  context: ComponentRunContext,
  stackDir: string,
): Promise<boolean> {
  if (context.spec.state === "own") return false;
  if (context.spec.state === "managed") return true;
  return !(await declaresBackend(stackDir));
}

/**
 * The engine the stack asks for: the version its plan ran on when applying, else its bosun.yml
 * `engine_version`, else the configuration's own `required_version`, read from the commit being
 * run (as fixed as the spec itself).
 */
async function pickEngine(
  context: ComponentRunContext,
  stackDir: string,
  log: PhaseLog,
  plannedVersion: string | undefined,
): Promise<PickedEngine> {
  const fallback = { engine: context.engine, version: undefined };
  if (!context.pickEngine) return fallback;
  const wanted = await wantedVersion(context.spec, stackDir, plannedVersion);
  if (!wanted) return fallback;
  const picked = await context.pickEngine(wanted);
  log.line(
    "stdout",
    picked.version === undefined
      ? `engine: the default ${engineName(context.spec.engine)} (${wanted.from} "${wanted.constraint}" is left to it)`
      : `engine: ${engineLabel(context.spec.engine, picked.version)} (${wanted.from} "${wanted.constraint}")`,
  );
  return picked;
}

async function wantedVersion(
  spec: ComponentSpec,
  stackDir: string,
  plannedVersion: string | undefined,
): Promise<WantedVersion | undefined> {
  if (plannedVersion !== undefined) return { constraint: `= ${plannedVersion}`, from: "plan" };
  if (spec.engineVersion !== undefined) {
    return { constraint: spec.engineVersion, from: "engine_version" };
  }
  const fromSource = await requiredVersion(stackDir);
  return fromSource === undefined
    ? undefined
    : { constraint: fromSource, from: "required_version" };
}

/** The init hooks around INITIALIZING, in the plan's and in the apply's preparation alike. */
async function initWithSteps(
  context: ComponentRunContext,
  engine: Engine,
  at: Invocation,
  steps: StepPlace,
): Promise<{ version: string; warnings: StepWarning[] }> {
  const before = await runSteps(steps, "before_init", context.spec.steps?.before_init);
  const version = await initPhase(context, engine, at);
  const after = await runSteps(steps, "after_init", context.spec.steps?.after_init);
  return { version, warnings: [...before, ...after] };
}

/** Where and with what custom steps run: the engine's sandbox, directory and environment. */
function stepPlace(
  context: ComponentRunContext,
  engine: Engine,
  at: Invocation,
  workspace: string,
  phase: "plan" | "apply",
): StepPlace {
  return {
    engine,
    at,
    workspace,
    env: {
      BOSUN_STACK: context.spec.stack,
      BOSUN_ENVIRONMENT: context.spec.environment,
      BOSUN_PHASE: phase,
      BOSUN_PLAN_FILE: path.join(at.cwd, PLAN_FILE),
      BOSUN_PLAN_JSON: path.join(workspace, "plan.json"),
    },
    reporter: context.reporter,
    masker: context.masker,
  };
}

/** INITIALIZING: the engine's version, then `init`. */
async function initPhase(
  context: ComponentRunContext,
  engine: Engine,
  at: Invocation,
): Promise<string> {
  return phase(context, "INITIALIZING", async (log) => {
    const version = await engine.version(at);
    log.line("stdout", `${engine.kind} ${version}`);
    const { spec } = context;
    const backendConfig = Object.fromEntries(
      Object.entries(spec.backendConfig ?? {}).map(([key, value]) => [
        key,
        renderForEnvironment(value, spec.environment),
      ]),
    );
    const cache = context.providerCache &&
      at.workspace && {
        sharedDir: context.providerCache,
        privateDir: privateProviderCache(at.workspace),
      };
    if (cache) {
      const seeded = await seedProviderCache({ ...cache, stackDir: at.cwd });
      if (seeded.length > 0) log.line("stdout", `providers from the cache: ${seeded.join(", ")}`);
    }
    const result = await engine.init(log.at(at), backendConfig);
    // Right after init, before plan or apply run anything the configuration brings.
    if (cache) {
      const merged = await mergeProviderCache(cache);
      if (merged.length > 0) log.line("stdout", `providers cached: ${merged.join(", ")}`);
    }
    // Selected in every phase: the selection lives in the data dir, which each phase makes anew.
    if (spec.workspace !== undefined) {
      const workspace = renderForEnvironment(spec.workspace, spec.environment);
      await engine.selectWorkspace(log.at(at), workspace);
      log.line("stdout", `workspace: ${workspace}`);
    }
    return { result: version, exitCode: result.exitCode };
  });
}

function invocation(context: ComponentRunContext, workspace: string, stackDir: string): Invocation {
  return {
    cwd: stackDir,
    env: engineEnvironment({
      host: context.hostEnv,
      passthrough: context.enginePassthrough,
      home: path.join(workspace, "home"),
      variables: context.spec.variables,
      runtimeEnv: context.spec.env,
      secrets: context.secrets,
      extra: {
        ...(context.providerCache ? { TF_PLUGIN_CACHE_DIR: privateProviderCache(workspace) } : {}),
        ...context.managedBackend?.env,
        ...cloudIdentityFiles(workspace, context.cloudIdentity).env,
      },
    }),
    timeoutMs: context.timeoutMs,
    ...(context.signal ? { signal: context.signal } : {}),
    workspace,
  };
}

/** Inside the workspace: the sandbox lets the engine write there and nowhere else. */
function privateProviderCache(workspace: string): string {
  return path.join(workspace, "providers");
}

interface PhaseLog {
  line(stream: "stdout" | "stderr", text: string): void;
  /** The invocation with this phase's masked line streaming attached. */
  at(invocation: Invocation): Invocation;
}

/** Runs one phase: its start, its masked lines, and its end with the exit code or the failure. */
async function phase<T>(
  context: ComponentRunContext,
  name: RunnerPhase,
  work: (log: PhaseLog) => Promise<{ result: T; exitCode: number | undefined }>,
): Promise<T> {
  const sink = await context.reporter.start(name);
  const line = (stream: "stdout" | "stderr", text: string) =>
    sink(stream, context.masker.mask(text));
  const log: PhaseLog = { line, at: (invocation) => ({ ...invocation, onLine: line }) };
  try {
    const { result, exitCode } = await work(log);
    await context.reporter.finish(name, { exitCode, error: undefined });
    return result;
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode;
    await context.reporter.finish(name, {
      exitCode,
      error: await context.masker.maskText(error instanceof Error ? error.message : String(error)),
    });
    throw error;
  }
}

function leafStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number") return [String(value)];
  if (Array.isArray(value)) return value.flatMap(leafStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(leafStrings);
  return [];
}

async function maskDiagnostic(
  masker: Masker,
  diagnostic: UiDiagnosticBody,
): Promise<UiDiagnosticBody> {
  return {
    ...diagnostic,
    summary: await masker.maskText(diagnostic.summary),
    detail: await masker.maskText(diagnostic.detail),
    ...(diagnostic.address === undefined
      ? {}
      : { address: await masker.maskText(diagnostic.address) }),
  };
}
