import { assertNever } from "../lib/assert-never.js";
import { codeSpan } from "./code-span.js";
import type { RunKind } from "../domain/run-kind.js";
import type { ChangesetReport, RunStatus } from "./report-model.js";

/** The run at a glance: status, kind, environment, commit and a link to its page. Markdown. */
export function statusLine(report: ChangesetReport): string {
  const commit = codeSpan(report.commitSha.slice(0, 7));
  return `**${runStatusLabel(report.runStatus)}** · ${runKindLabel(report.runKind)} for ${codeSpan(report.environment)} at ${commit}${report.engine ? ` with ${sanitizeEngine(report.engine)}` : ""}${startedBy(report)} · [Run details](${report.runUrl})`;
}

/** The engine as recorded ("OpenTofu 1.11.5"); an engine's answer is kept to plain words. */
function sanitizeEngine(engine: string): string {
  return engine.replace(/[^\w .+-]/g, "");
}

/** A machine user is said to be one, so nobody takes a token's run for a person's. */
function startedBy(report: ChangesetReport): string {
  const who = report.startedBy;
  if (who === undefined) return "";
  return who.machine
    ? ` · started by ${codeSpan(who.name)}, a machine user`
    : ` · started by ${codeSpan(`@${who.name}`)}`;
}

function runStatusLabel(status: RunStatus): string {
  switch (status) {
    case "PLANNING":
      return "Planning";
    case "PLANNED":
      return "Planned";
    case "APPLYING":
      return "Applying";
    case "SUCCEEDED":
      return "Succeeded";
    case "PARTIALLY_FAILED":
      return "Partially failed: some components applied, then a failure stopped the run";
    case "FAILED":
      return "Failed";
    case "DISCARDED":
      return "Discarded";
    default:
      return assertNever(status, "run status");
  }
}

function runKindLabel(kind: RunKind): string {
  switch (kind) {
    case "proposed":
      return "Proposed run";
    case "tracked":
      return "Tracked run";
    case "destroy":
      return "Destroy run";
    case "plan":
      return "Plan-only run";
    case "drift":
      return "Drift check";
    default:
      return assertNever(kind, "run kind");
  }
}
