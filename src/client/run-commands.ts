import { ApiError, type ApiClient, type ApiRun, type TriggerKind } from "./api-client.js";

/** Where a command writes: the terminal, or a test's buffers. */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Runs whose status means nothing was applied because something failed. */
const FAILED_STATUSES = new Set(["FAILED", "PARTIALLY_FAILED"]);

/** Says what went wrong the way the server said it, with a runtime config's lines; exit code 1. */
function reportError(output: CommandOutput, error: unknown): 1 {
  if (!(error instanceof ApiError)) throw error;
  const status = error.status === 0 ? "" : ` (${error.status})`;
  output.err(`bosun: ${error.message}${status}\n`);
  for (const problem of error.problems) {
    const where = problem.line === undefined ? problem.path : `line ${problem.line}`;
    output.err(
      `  ${where}${problem.path && problem.line !== undefined ? ` (${problem.path})` : ""}: ${problem.message}\n`,
    );
  }
  return 1;
}

const counts = (value: { add: number; change: number; destroy: number }) =>
  `+${value.add} ~${value.change} -${value.destroy}`;

/** `bosun run trigger OWNER/REPO STACK -e ENV [--plan-only|--destroy] [--runtime-config FILE]`. */
export async function triggerRunCommand(
  api: ApiClient,
  output: CommandOutput,
  input: {
    repository: string;
    stack: string;
    environment: string;
    kind: TriggerKind;
    runtimeConfig?: string | undefined;
    json: boolean;
  },
): Promise<0 | 1> {
  try {
    const started = await api.triggerRun(input.repository, input.stack, {
      environment: input.environment,
      kind: input.kind,
      ...(input.runtimeConfig === undefined ? {} : { runtime_config: input.runtimeConfig }),
    });
    output.out(
      input.json
        ? `${JSON.stringify(started)}\n`
        : `run ${started.id} started (${input.kind}, ${input.stack}@${input.environment}): ${started.status}\n${started.url}\n`,
    );
    return 0;
  } catch (error) {
    return reportError(output, error);
  }
}

/** `bosun run list OWNER/REPO [--stack STACK]`: newest first. */
export async function listRunsCommand(
  api: ApiClient,
  output: CommandOutput,
  input: { repository: string; stack?: string | undefined; json: boolean },
): Promise<0 | 1> {
  try {
    const runs = await api.runs(input.repository, { stack: input.stack });
    if (input.json) {
      output.out(`${JSON.stringify(runs)}\n`);
      return 0;
    }
    const rows = runs.map((run) =>
      [
        run.id,
        run.kind,
        run.status,
        run.environment,
        run.stacks.join(","),
        counts(run.counts),
        run.commitSha.slice(0, 7),
        run.triggeredBy,
        run.createdAt,
      ].join("\t"),
    );
    output.out(
      ["ID\tKIND\tSTATUS\tENV\tSTACKS\tCHANGES\tCOMMIT\tBY\tCREATED", ...rows].join("\n") + "\n",
    );
    return 0;
  } catch (error) {
    return reportError(output, error);
  }
}

/** `bosun run confirm RUN` and `bosun run discard RUN`: the approval gate, by the API's rules. */
export async function decideRunCommand(
  api: ApiClient,
  output: CommandOutput,
  input: { runId: string; decision: "confirm" | "discard"; json: boolean },
): Promise<0 | 1> {
  try {
    const answer =
      input.decision === "confirm"
        ? await api.confirm(input.runId)
        : await api.discard(input.runId);
    output.out(
      input.json
        ? `${JSON.stringify(answer)}\n`
        : `run ${input.runId} ${input.decision === "confirm" ? "confirmed" : "discarded"}\n`,
    );
    return 0;
  } catch (error) {
    return reportError(output, error);
  }
}

/**
 * `bosun run logs RUN [--follow]`: every phase's log in order; with `--follow`, new lines as they
 * are written, until the run finishes (exit 1 when it failed). `--json` prints one JSON object per
 * line: `{stack, phase, line}`.
 */
export async function runLogsCommand(
  api: ApiClient,
  output: CommandOutput,
  input: { runId: string; follow: boolean; json: boolean; pollMs?: number },
): Promise<0 | 1> {
  const printed = new Map<string, number>();
  const emit = async (run: ApiRun) => {
    for (const component of run.components) {
      for (const phase of component.phases) {
        const done = printed.get(phase.id) ?? 0;
        if (phase.lineCount <= done && printed.has(phase.id)) continue;
        const text = await api.phaseLog(run.id, phase.id);
        const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
        if (!printed.has(phase.id) && !input.json) {
          output.out(`=== ${component.stack} · ${phase.phase} ===\n`);
        }
        for (const line of lines.slice(done)) {
          output.out(
            input.json
              ? `${JSON.stringify({ stack: component.stack, phase: phase.phase, line })}\n`
              : `${line}\n`,
          );
        }
        printed.set(phase.id, Math.max(done, lines.length));
      }
    }
  };
  try {
    let run = await api.run(input.runId);
    await emit(run);
    while (input.follow && !run.finished) {
      await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 1000));
      run = await api.run(input.runId);
      await emit(run);
    }
    if (input.follow && !input.json) {
      output.out(`run ${run.id}: ${run.status} (${counts(run.counts)})\n`);
    }
    return input.follow && FAILED_STATUSES.has(run.status) ? 1 : 0;
  } catch (error) {
    return reportError(output, error);
  }
}
