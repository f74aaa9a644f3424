import { MANUAL_TRIGGER } from "../domain/run-kind.js";
import type {
  ComponentReport,
  ChangesetReport,
  ReportDiagnostic,
  ScanFinding,
} from "../render/report-model.js";
import { deriveRunStatus } from "../domain/run-status.js";
import { findStaleComponents } from "../domain/find-stale-components.js";
import type { RunView } from "./run-view-port.js";

interface RawDiagnostic {
  severity?: string;
  summary?: string;
  detail?: string;
  range?: { filename?: string; start?: { line?: number }; end?: { line?: number } };
}

/** The run as a reader sees it: the input of every renderer. `currentHeads` detects staleness. */
export function buildChangesetReport(
  view: RunView,
  options: {
    /** The run page's (signed) URL. */
    runUrl: string;
    currentHeads: Record<string, string | null>;
    headSha?: string | undefined;
  },
): ChangesetReport {
  const components: ComponentReport[] = view.components.map((component) => {
    const plan = component.plan;
    const waitingFor =
      component.phase === "DEFERRED"
        ? (component.spec.waitsFor ?? component.spec.dependsOn ?? []).map(
            (d) => `${d.stack}@${view.environment}`,
          )
        : undefined;
    return {
      name: `${component.stack}@${view.environment}`,
      stack: component.stack,
      dir: component.spec.dir,
      changeKind: component.changeKind,
      phase: component.phase,
      counts: plan?.summary.counts,
      hasChanges: plan?.summary.hasChanges,
      planDigest: component.planDigest,
      planText: plan?.planText,
      diagnostics: (plan?.diagnostics as RawDiagnostic[] | undefined)?.flatMap(toReportDiagnostic),
      failureReason: component.phase === "FAILED" ? component.failureReason : undefined,
      // A plan that a policy denied has its digest too: only a confirmed run ever applies.
      failedDuring:
        component.phase === "FAILED"
          ? view.confirmedBy !== undefined && component.planDigest && component.plan
            ? "apply"
            : "plan"
          : undefined,
      waitingFor,
      policyFindings: plan?.policyFindings,
      scanFindings: view.scanFindings as ScanFinding[],
      steps: component.steps,
      stepWarnings: plan?.stepWarnings,
      stepsPending: component.spec.stepsPending,
    };
  });
  const unconfirmed = view.components.filter((component) => component.phase === "UNCONFIRMED");
  const moved = findStaleComponents(
    Object.fromEntries(
      unconfirmed.map((c) => [c.componentId, view.baseHeads[c.componentId] ?? null]),
    ),
    options.currentHeads,
  );
  const movedNames = view.components
    .filter((c) => moved.includes(c.componentId))
    .map((c) => `${c.stack}@${view.environment}`);
  const headMoved =
    unconfirmed.length > 0 && options.headSha !== undefined && options.headSha !== view.commitSha;
  const stale =
    movedNames.length > 0
      ? {
          reason: `another run applied ${movedNames.join(", ")} since this plan; comment /plan to re-plan`,
        }
      : headMoved
        ? {
            reason: `the pull request's head moved to ${options.headSha?.slice(0, 7)} after this plan`,
          }
        : undefined;
  return {
    runId: view.runId,
    runUrl: options.runUrl,
    environment: view.environment,
    repository: view.repositoryFullName,
    commitSha: view.commitSha,
    runKind: view.kind,
    runStatus: deriveRunStatus(view.components),
    ...(view.engineVersion ? { engine: view.engineVersion } : {}),
    ...(view.machineUser || view.trigger === MANUAL_TRIGGER
      ? { startedBy: { name: view.triggeredBy, machine: view.machineUser } }
      : {}),
    stale,
    components,
  };
}

function toReportDiagnostic(raw: RawDiagnostic): ReportDiagnostic[] {
  if (raw.severity !== "error" && raw.severity !== "warning") return [];
  return [
    {
      severity: raw.severity,
      summary: raw.summary ?? "",
      detail: raw.detail,
      filename: raw.range?.filename,
      line: raw.range?.start?.line,
      endLine: raw.range?.end?.line,
    },
  ];
}
