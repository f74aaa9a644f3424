import { mkdir, open, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  type CustomStep,
  HOOK_PHASES,
  type StepHook,
  type StepPhase,
} from "../domain/custom-step.js";
import type { Masker } from "../lib/redact.js";
import type { Engine, Invocation } from "./engine.js";

/** Which step a timeline entry is: its name and the hook it ran at. */
export interface StepLabel {
  name: string;
  hook: StepHook;
}

/** A step that failed with `on_failure: warn`: shown on the check run, and autodeploy holds. */
export interface StepWarning {
  step: string;
  hook: StepHook;
  message: string;
}

/** How a step's start, masked lines and end (with its summary) are recorded. */
export interface StepReporter {
  start(
    phase: StepPhase,
    step: StepLabel,
  ): Promise<(stream: "stdout" | "stderr", line: string) => void>;
  finish(
    phase: StepPhase,
    outcome: { exitCode: number | undefined; error: string | undefined; summary?: string },
    step: StepLabel,
  ): Promise<void>;
}

/** A step that failed with `on_failure: fail`: the phase fails with this message. */
export class StepFailure extends Error {
  override readonly name = "StepFailure";
  constructor(
    readonly step: StepLabel,
    message: string,
    readonly exitCode: number | undefined,
  ) {
    super(message);
  }
}

/**
 * What a summary keeps: far more than a check run shows (its text is 64 KiB), so that the run page
 * has the whole of any reasonable report, and little enough that a runaway step cannot fill the
 * database.
 */
export const MAX_SUMMARY_BYTES = 1024 * 1024;
/** A step's output beyond this on one stream stops it: a log, not a data channel. */
const MAX_STEP_OUTPUT_CHARS = 16 * 1024 * 1024;

export interface StepPlace {
  engine: Engine;
  /** The engine's invocation in this phase: the steps run in its directory and environment. */
  at: Invocation;
  /** The run's workspace, where each step's summary file is made. */
  workspace: string;
  /** What the steps are told (docs/design.md "Custom steps"). */
  env: {
    BOSUN_STACK: string;
    BOSUN_ENVIRONMENT: string;
    BOSUN_PHASE: "plan" | "apply";
    BOSUN_PLAN_FILE: string;
    BOSUN_PLAN_JSON: string;
  };
  reporter: StepReporter;
  masker: Masker;
}

/**
 * Runs one hook's steps in order, each as `sh -c` in the engine's sandbox, directory and
 * environment, bounded like an engine command by the phase timeout, each an entry of the timeline
 * with its masked log, exit code and summary. A failing `fail` step throws {@link StepFailure}
 * (the rest do not run); a failing `warn` step is returned as a warning.
 */
export async function runSteps(
  place: StepPlace,
  hook: StepHook,
  steps: readonly CustomStep[] | undefined,
): Promise<StepWarning[]> {
  const warnings: StepWarning[] = [];
  for (const [index, step] of (steps ?? []).entries()) {
    const label = { name: step.name, hook };
    const phase = HOOK_PHASES[hook];
    const sink = await place.reporter.start(phase, label);
    const line = (stream: "stdout" | "stderr", text: string) =>
      sink(stream, place.masker.mask(text));
    const summaryFile = path.join(place.workspace, "step-summaries", `${hook}-${index}.md`);
    await mkdir(path.dirname(summaryFile), { recursive: true });
    await writeFile(summaryFile, "");
    let problem: string | undefined;
    let exitCode: number | undefined;
    try {
      const result = await place.engine.shell(
        {
          ...place.at,
          env: { ...place.at.env, ...place.env, BOSUN_STEP_SUMMARY: summaryFile },
          maxOutputChars: MAX_STEP_OUTPUT_CHARS,
          onLine: line,
        },
        step.run,
      );
      exitCode = result.exitCode;
      problem = result.stoppedBy
        ? result.stoppedBy === "timeout"
          ? `timed out after ${Math.round(place.at.timeoutMs / 1000)} s; the process tree was killed`
          : "was cancelled"
        : result.outputLimitExceeded
          ? "printed too much and was stopped"
          : result.exitCode === 0
            ? undefined
            : `exited with ${String(result.exitCode)}`;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    const summary = await readSummary(summaryFile);
    const message =
      problem === undefined
        ? undefined
        : await place.masker.maskText(`step ${step.name} (${hook}) ${problem}`);
    await place.reporter.finish(
      phase,
      {
        exitCode,
        error: message,
        ...(summary ? { summary: await place.masker.maskText(summary) } : {}),
      },
      label,
    );
    if (message === undefined) continue;
    if (step.onFailure === "warn") {
      warnings.push({ step: step.name, hook, message });
      continue;
    }
    throw new StepFailure(label, `${message}${FAILURE_CONSEQUENCES[hook]}`, exitCode);
  }
  return warnings;
}

/** What a failing `fail` step means for the run, said with its failure. */
const FAILURE_CONSEQUENCES: Record<StepHook, string> = {
  before_init: ": the engine's init did not run",
  after_init: ": the engine did not go on",
  before_plan: ": the engine's plan did not run",
  after_plan: ": the plan is not kept, so there is nothing to apply",
  before_apply: ": the engine's apply did not run",
  after_apply: "",
};

/** The summary a step wrote, up to {@link MAX_SUMMARY_BYTES}; a cut one says so. */
async function readSummary(file: string): Promise<string> {
  const handle = await open(file, "r").catch(() => undefined);
  if (!handle) return "";
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(size, MAX_SUMMARY_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString("utf8").trim();
    return size > MAX_SUMMARY_BYTES
      ? `${text}\n\n… the summary was cut at ${MAX_SUMMARY_BYTES / 1024} KiB`
      : text;
  } finally {
    await handle.close();
  }
}
