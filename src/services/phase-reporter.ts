import type { ComponentPhase } from "../domain/component-phase.js";
import type { EngineKind } from "../domain/engine-kind.js";
import type { Masker } from "../lib/redact.js";
import type { Engine } from "../runner/engine.js";
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
  const open = new Map<RunnerPhase, { phaseId: string; writer: LogWriter; started: number }>();
  let current: ComponentPhase = applying ? "APPLYING" : "PREPARING";
  return {
    async start(phase) {
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
      );
      // An installation token first obtained during the last phase (the tarball's) is masked from
      // this one on.
      masker.add(...(deps.ownCredentials?.() ?? []));
      const writer = createLogWriter(deps.runs, phaseId, {
        maskLines: (lines) => masker.maskLogLines(lines),
      });
      open.set(phase, { phaseId, writer, started: performance.now() });
      return (stream, line) => writer.write(stream, masker.mask(line));
    },
    async finish(phase, outcome) {
      const started = open.get(phase);
      if (!started) return;
      await started.writer.flush();
      await deps.runs.finishPhase(started.phaseId, outcome);
      deps.metrics?.phaseFinished({
        phase,
        engine: record.spec.engine,
        seconds: (performance.now() - started.started) / 1000,
        exitCode: outcome.exitCode,
      });
    },
  };
}
