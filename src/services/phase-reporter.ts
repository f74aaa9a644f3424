import type { ComponentPhase } from "../domain/component-phase.js";
import type { EngineKind } from "../domain/engine-kind.js";
import type { Masker } from "../lib/redact.js";
import type { Engine } from "../runner/engine.js";
import type { StepLabel } from "../runner/custom-steps.js";
import type { PhaseReporter, RunnerPhase } from "../runner/run-component.js";
import { createLogWriter, type LogWriter } from "./log-writer.js";
import type { Metrics } from "./metrics-port.js";
import type { RunComponentRecord, RunStore } from "./run-port.js";

/**
 * What the runner reports a phase through: the component's lifecycle moves as its phases start
 * (under this job's lease), and each phase's lines are masked and written to its log.
 */
export function createPhaseReporter(
  deps: {
    runs: RunStore;
    jobId: string;
    engines: Record<EngineKind, Engine>;
    ownCredentials?: () => Iterable<string>;
    metrics?: Metrics;
  },
  record: RunComponentRecord,
  masker: Masker,
  applying: boolean,
  entered: (phase: ComponentPhase) => void,
): PhaseReporter {
  const open = new Map<string, { phaseId: string; writer: LogWriter; started: number }>();
  const key = (phase: RunnerPhase, step: StepLabel | undefined) =>
    step ? `${phase}/${step.hook}/${step.name}` : phase;
  let current: ComponentPhase = applying ? "APPLYING" : "PREPARING";
  return {
    async start(phase, step) {
      // While applying, preparing and init are steps of APPLYING, not lifecycle states.
      if (!applying && phase !== current) {
        const moved = await deps.runs.transition(
          record.runComponentId,
          [current],
          phase,
          `${phase.toLowerCase()} started`,
          "bosun",
          deps.jobId,
        );
        if (!moved) throw new Error("this worker lost its lease on the component");
        current = phase;
        entered(phase);
      }
      const phaseId = await deps.runs.startPhase(
        record.runComponentId,
        phase,
        deps.engines[record.spec.engine].sandbox,
        step,
      );
      // An installation token first obtained during the last phase (the tarball's) is masked from
      // this one on.
      masker.add(...(deps.ownCredentials?.() ?? []));
      const writer = createLogWriter(deps.runs, phaseId, {
        maskLines: (lines) => masker.maskLogLines(lines),
      });
      open.set(key(phase, step), { phaseId, writer, started: performance.now() });
      return (stream, line) => writer.write(stream, masker.mask(line));
    },
    async finish(phase, outcome, step) {
      const started = open.get(key(phase, step));
      if (!started) return;
      await started.writer.flush();
      await deps.runs.finishPhase(started.phaseId, outcome);
      // A custom step is not the engine: its duration and exit code are not the phase's.
      if (step) return;
      deps.metrics?.phaseFinished({
        phase,
        engine: record.spec.engine,
        seconds: (performance.now() - started.started) / 1000,
        exitCode: outcome.exitCode,
      });
    },
  };
}
