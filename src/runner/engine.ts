import { z } from "zod";
import { locateExecutable } from "../lib/locate-executable.js";
import { MAX_OUTPUT_CHARS, runProcess, type ProcessResult } from "./exec.js";
import { parsePlanJson, PlanJsonError, type PlanJson } from "./plan-json.js";
import type { SandboxKind } from "../domain/sandbox-kind.js";
import type { Sandbox } from "./sandbox.js";
import type { EngineKind } from "../domain/engine-kind.js";

export const engineErrorCodes = [
  "not-found",
  "crashed",
  "failed",
  "timeout",
  "cancelled",
  "invalid-output",
  "stale-plan",
  "output-too-large",
] as const;
export type EngineErrorCode = (typeof engineErrorCodes)[number];

const STDERR_TAIL_LINES = 20;

/** An engine command that did not do its job, with what a user needs to act on it. */
export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderrTail: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Where and how one engine command runs. */
export interface Invocation {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  /** The most a command may print on a stream; {@link MAX_OUTPUT_CHARS} unless set. */
  maxOutputChars?: number;
  /** The run's own directory: all a sandboxed engine may write (cwd and HOME are inside it). */
  workspace?: string;
}

export interface PlanOptions {
  planFile: string;
  destroy?: boolean;
  targets?: readonly string[];
  varFiles?: readonly string[];
  lockTimeout?: string;
}

const VersionJson = z.object({ terraform_version: z.string() });

const OutputsJson = z.record(
  z.string(),
  z.object({ sensitive: z.boolean(), type: z.unknown().optional(), value: z.unknown() }),
);
export type EngineOutputs = z.infer<typeof OutputsJson>;

/**
 * OpenTofu and Terraform are one adapter with two executables: the CLI contract
 * (test/fixtures/CLI-CONTRACT.md) is the same for every command Bosun runs.
 */
export interface Engine {
  readonly kind: EngineKind;
  /** How its commands are confined: recorded with every phase, said on run pages. */
  readonly sandbox: SandboxKind;
  version(at: Invocation): Promise<string>;
  init(at: Invocation, backendConfig?: Readonly<Record<string, string>>): Promise<ProcessResult>;
  /** `workspace select -or-create`: the workspace exists and is the current one afterwards. */
  selectWorkspace(at: Invocation, name: string): Promise<ProcessResult>;
  /** `changes` and `no-changes` come from `-detailed-exitcode`; any other exit is an error. */
  plan(
    at: Invocation,
    options: PlanOptions,
  ): Promise<{ outcome: "changes" | "no-changes"; result: ProcessResult }>;
  showJson(at: Invocation, planFile: string): Promise<{ plan: PlanJson; text: string }>;
  showText(at: Invocation, planFile: string): Promise<string>;
  apply(at: Invocation, planFile: string): Promise<ProcessResult>;
  outputs(at: Invocation): Promise<EngineOutputs>;
  /**
   * `sh -c script` confined exactly as this engine's commands are (a custom step): the result as
   * it is, whatever its exit code; only a shell that cannot start throws.
   */
  shell(at: Invocation, script: string): Promise<ProcessResult>;
  /**
   * This engine run through Terragrunt (`terragrunt` at `launcher`): every command goes to
   * Terragrunt, which runs this engine's executable (TERRAGRUNT_TFPATH) with the same arguments.
   */
  through(launcher: string): Engine;
}

/**
 * `sandbox` confines every command of this engine; undefined runs it unsandboxed. `launcher`:
 * Terragrunt's executable, which every command goes through (see {@link Engine.through}).
 */
export function createEngine(
  kind: EngineKind,
  bin: string,
  sandbox?: Sandbox,
  launcher?: string,
): Engine {
  const run = async (at: Invocation, args: string[]): Promise<ProcessResult> => {
    const command = `${launcher ? "terragrunt" : kind === "opentofu" ? "tofu" : "terraform"} ${args[0] ?? ""}`;
    const result = launcher
      ? await runThroughLauncher(launcher, bin, args, at, sandbox)
      : await runEngineProcess(bin, args, at, sandbox);
    if (result.startError) {
      throw new EngineError(
        "not-found",
        `${command}: cannot start the engine (${result.startError})`,
        command,
        undefined,
        "",
      );
    }
    if (result.stoppedBy) {
      const why =
        result.stoppedBy === "timeout"
          ? `timed out after ${Math.round(at.timeoutMs / 1000)} s`
          : "was cancelled";
      throw new EngineError(
        result.stoppedBy === "timeout" ? "timeout" : "cancelled",
        `${command} ${why}; the process tree was killed`,
        command,
        result.exitCode,
        tail(result.stderr),
      );
    }
    if (result.outputLimitExceeded) {
      throw new EngineError(
        "output-too-large",
        `${command} printed more than ${formatSize(at.maxOutputChars ?? MAX_OUTPUT_CHARS)} on one stream and was stopped: Bosun keeps at most that much of an engine's output`,
        command,
        result.exitCode,
        tail(result.stderr),
      );
    }
    return result;
  };

  const fail = (command: string, result: ProcessResult, what: string): never => {
    const crashed = result.exitCode !== 1;
    throw new EngineError(
      crashed ? "crashed" : isStalePlan(result) ? "stale-plan" : "failed",
      `${command} ${crashed ? `crashed (exit ${String(result.exitCode)})` : what}${describeDiagnostics(result)}`,
      command,
      result.exitCode,
      tail(result.stderr),
    );
  };

  return {
    kind,
    sandbox: sandbox ? sandbox.kind : "none",
    async version(at) {
      const result = await run(at, ["version", "-json"]);
      if (result.exitCode !== 0) fail("version", result, "failed");
      const parsed = VersionJson.safeParse(safeJson(result.stdout));
      if (!parsed.success) {
        throw new EngineError(
          "invalid-output",
          "version -json did not print the version JSON",
          "version",
          result.exitCode,
          tail(result.stderr),
        );
      }
      return parsed.data.terraform_version;
    },
    async init(at, backendConfig = {}) {
      const args = ["init", "-input=false", "-no-color"];
      for (const [key, value] of Object.entries(backendConfig))
        args.push(`-backend-config=${key}=${value}`);
      const result = await run(at, args);
      if (result.exitCode !== 0) fail("init", result, "failed");
      return result;
    },
    async selectWorkspace(at, name) {
      // -or-create: Terraform 1.4 and OpenTofu 1.6 on; one command, no race between list and new.
      const result = await run(at, ["workspace", "select", "-or-create=true", name]);
      if (result.exitCode !== 0) fail("workspace select", result, "failed");
      return result;
    },
    async plan(at, options) {
      const args = [
        "plan",
        "-input=false",
        `-out=${options.planFile}`,
        "-json",
        "-detailed-exitcode",
      ];
      if (options.lockTimeout) args.push(`-lock-timeout=${options.lockTimeout}`);
      if (options.destroy) args.push("-destroy");
      for (const target of options.targets ?? []) args.push(`-target=${target}`);
      for (const file of options.varFiles ?? []) args.push(`-var-file=${file}`);
      const result = await run(at, args);
      if (result.exitCode === 0) return { outcome: "no-changes", result };
      if (result.exitCode === 2) return { outcome: "changes", result };
      return fail("plan", result, "failed");
    },
    async showJson(at, planFile) {
      const result = await run(at, ["show", "-json", planFile]);
      if (result.exitCode !== 0) fail("show", result, "failed");
      try {
        return { plan: parsePlanJson(result.stdout), text: result.stdout };
      } catch (error) {
        const reason = error instanceof PlanJsonError ? error.message : String(error);
        throw new EngineError(
          "invalid-output",
          `show -json printed no valid plan: ${reason}`,
          "show",
          result.exitCode,
          tail(result.stderr),
          { cause: error },
        );
      }
    },
    async showText(at, planFile) {
      const result = await run(at, ["show", "-no-color", planFile]);
      if (result.exitCode !== 0) fail("show", result, "failed");
      return result.stdout;
    },
    async apply(at, planFile) {
      const result = await run(at, ["apply", "-input=false", "-json", planFile]);
      if (result.exitCode !== 0) fail("apply", result, "failed");
      return result;
    },
    through(terragrunt) {
      return createEngine(kind, bin, sandbox, terragrunt);
    },
    async shell(at, script) {
      const result = await runEngineProcess("sh", ["-c", script], at, sandbox);
      if (result.startError) {
        throw new EngineError(
          "not-found",
          `sh: cannot start (${result.startError})`,
          "sh",
          undefined,
          "",
        );
      }
      return result;
    },
    async outputs(at) {
      const result = await run(at, ["output", "-json"]);
      if (result.exitCode !== 0) fail("output", result, "failed");
      const parsed = OutputsJson.safeParse(safeJson(result.stdout));
      if (!parsed.success) {
        throw new EngineError(
          "invalid-output",
          "output -json did not print an outputs object",
          "output",
          result.exitCode,
          tail(result.stderr),
        );
      }
      return parsed.data;
    },
  };
}

/**
 * Terragrunt started with the engine underneath: TERRAGRUNT_TFPATH names the engine's executable
 * by its absolute path, which the sandbox shows too.
 */
async function runThroughLauncher(
  launcher: string,
  bin: string,
  args: string[],
  at: Invocation,
  sandbox: Sandbox | undefined,
): Promise<ProcessResult> {
  const engine = await locateExecutable(bin, at.env.PATH, at.cwd);
  if (!engine) return notStarted(`${bin}: not found`);
  return runEngineProcess(
    launcher,
    args,
    { ...at, env: { ...at.env, TERRAGRUNT_TFPATH: engine } },
    sandbox,
    [engine],
  );
}

/** The engine started directly, or through the sandbox around its workspace. */
async function runEngineProcess(
  bin: string,
  args: string[],
  at: Invocation,
  sandbox: Sandbox | undefined,
  alsoVisible: readonly string[] = [],
): Promise<ProcessResult> {
  if (!sandbox) return runProcess(bin, args, at);
  // Fails closed: a sandboxed engine never runs without knowing what it may write.
  if (!at.workspace) throw new Error("a sandboxed engine command needs its workspace");
  const command = await sandbox.wrap(bin, args, {
    workspace: at.workspace,
    cwd: at.cwd,
    pathVariable: at.env.PATH,
    alsoVisible,
  });
  if ("startError" in command) return notStarted(command.startError);
  return runProcess(command.file, command.args, {
    ...at,
    env: { ...at.env, ...command.env },
    ...(command.runAs ? { runAs: command.runAs } : {}),
  });
}

function notStarted(startError: string): ProcessResult {
  return {
    exitCode: undefined,
    stdout: "",
    stderr: "",
    durationMs: 0,
    stoppedBy: undefined,
    startError,
    outputLimitExceeded: false,
  };
}

const STALE_SUMMARIES = ["Saved plan is stale", "Saved plan does not match the given state"];

function isStalePlan(result: ProcessResult): boolean {
  return diagnostics(result).some((d) => STALE_SUMMARIES.includes(d.summary));
}

const Diagnostic = z.object({
  type: z.literal("diagnostic"),
  diagnostic: z.object({
    severity: z.string(),
    summary: z.string(),
    detail: z.string().optional(),
  }),
});

function diagnostics(
  result: ProcessResult,
): { severity: string; summary: string; detail?: string | undefined }[] {
  return result.stdout
    .split("\n")
    .map((line) => Diagnostic.safeParse(safeJson(line)))
    .flatMap((parsed) => (parsed.success ? [parsed.data.diagnostic] : []));
}

/** The engine's error diagnostics, which say what went wrong far better than an exit code. */
function describeDiagnostics(result: ProcessResult): string {
  const errors = diagnostics(result).filter((d) => d.severity === "error");
  if (errors.length === 0) {
    const lastLine = tail(result.stderr).split("\n").filter(Boolean).at(-1);
    return lastLine ? `: ${lastLine}` : "";
  }
  return `: ${errors.map((d) => (d.detail ? `${d.summary}: ${d.detail}` : d.summary)).join("; ")}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function tail(text: string): string {
  return text.split("\n").slice(-STDERR_TAIL_LINES).join("\n");
}

function formatSize(chars: number): string {
  const mib = chars / 1024 / 1024;
  return mib >= 1 ? `${Math.round(mib)} MiB` : `${Math.round(chars / 1024)} KiB`;
}
