import { approvalDigests } from "./approval-digests.js";
import { checkRunStateOf, type CheckRunState } from "./check-run-state.js";
import { codeFence } from "./code-fence.js";
import { codeSpan } from "./code-span.js";
import { componentTable } from "./component-table.js";
import { configProblemsSection } from "./config-problems-section.js";
import { diagnosticPath } from "./diagnostic-path.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { fairShare } from "./fair-share.js";
import { fencedExcerpt } from "./fenced-excerpt.js";
import { formatDelta } from "./format-delta.js";
import { joinBlocks } from "./join-blocks.js";
import {
  CHECK_RUN_SUMMARY_LIMIT,
  CHECK_RUN_TEXT_LIMIT,
  measure,
  truncateToLimit,
  type TextUnit,
} from "./limits.js";
import { phaseLabel } from "./phase-label.js";
import { planContent } from "./plan-content.js";
import { plural } from "./plural.js";
import { planNote, widestPlanNote } from "./plan-note.js";
import { policyFindingsSection } from "./policy-findings-section.js";
import type { ChangesetReport, ComponentReport, ReportDiagnostic } from "./report-model.js";
import { runTitle } from "./run-title.js";
import { scanFindingsSection } from "./scan-findings-section.js";
import { staleBanner } from "./stale-banner.js";
import { statusLine } from "./status-line.js";
import { stepNoticesSection, stepSummariesSection } from "./step-sections.js";
import { waitingNote } from "./waiting-note.js";

/** A button on the check run; GitHub sends its `identifier` in `check_run.requested_action`. */
export interface CheckRunAction {
  readonly label: string;
  readonly description: string;
  readonly identifier: CheckRunActionIdentifier;
}

/** The identifiers docs/design.md names for the Apply / Discard buttons. */
export const checkRunActionIdentifiers = ["apply", "discard"] as const;
export type CheckRunActionIdentifier = (typeof checkRunActionIdentifiers)[number];

/** What to send to create or update the changeset's check run. */
export type RenderedCheckRun = CheckRunState & {
  /** `bosun/<environment>`: one check run per changeset. */
  readonly name: string;
  /** The run page, for the check run's "Details" link. */
  readonly detailsUrl: string;
  readonly output: { readonly title: string; readonly summary: string; readonly text: string };
  readonly actions: readonly CheckRunAction[];
};

/** Labels ≤ 20 and descriptions ≤ 40 characters (GitHub's limits; a unit test checks them). */
const applyAction: CheckRunAction = {
  label: "Apply",
  description: "Apply exactly the plans shown here",
  identifier: "apply",
};
const discardAction: CheckRunAction = {
  label: "Discard",
  description: "Discard these plans",
  identifier: "discard",
};

// Per-item caps inside output.text, so that one long error cannot crowd out the plans, and one
// component's section (8 KB + 20 × 2 KB and change) always fits the text on its own.
const FAILURE_REASON_BUDGET = 8_000;
const DIAGNOSTIC_DETAIL_BUDGET = 2_000;
const DIAGNOSTICS_SHOWN = 20;
/** All of one component's step summaries; the run page has them whole. */
const STEP_SUMMARIES_BUDGET = 16_000;

/**
 * The check run of one changeset: status and conclusion from docs/design.md's state table (see
 * {@link checkRunStateOf} for how components combine), the title, a summary (status, what
 * approving names, per-component deltas, waiting components, policy and scan findings) and a
 * text holding each component's plan, failure and diagnostics. Apply / Discard buttons are
 * offered while the run awaits approval; Apply is left out when the plan is stale, since it
 * would only be refused. Summary and text stay within GitHub's limits; long plans are cut at
 * whole lines, the room shared fairly between components, with a note linking the run page.
 */
export function renderCheckRun(report: ChangesetReport): RenderedCheckRun {
  const state = checkRunStateOf(report);
  const awaiting = state.status === "completed" && state.conclusion === "action_required";
  const actions = awaiting
    ? report.stale === undefined
      ? [applyAction, discardAction]
      : [discardAction]
    : [];
  return {
    ...state,
    name: `bosun/${report.environment}`,
    detailsUrl: report.runUrl,
    output: {
      title: runTitle(report, state),
      summary: renderSummary(report),
      text: renderText(report),
    },
    actions,
  };
}

function renderSummary(report: ChangesetReport): string {
  const problems = configProblemsSection(report.configProblems ?? []);
  const waiting = report.components.flatMap((component) => {
    const note = waitingNote(component);
    return note === undefined ? [] : [`- ${note}`];
  });
  const sections = [
    statusLine(report),
    staleBanner(report),
    problems,
    problems === undefined ? approvalDigests(report) : undefined,
    report.components.length > 0 ? componentTable(report.components) : undefined,
    waiting.length > 0 ? ["#### Deferred and blocked", "", ...waiting].join("\n") : undefined,
    policyFindingsSection(report.components, "#### Policies"),
    scanFindingsSection(report.components, "#### Code that runs during plan"),
    stepNoticesSection(report.components, "#### Custom steps"),
  ];
  const summary = joinBlocks(sections);
  return truncateToLimit(
    summary,
    CHECK_RUN_SUMMARY_LIMIT,
    (lines) => `… ${lines} more lines: full details at ${report.runUrl}`,
  );
}

interface TextSection {
  /** Everything but the plan: heading, status, failure, diagnostics. */
  readonly fixed: string;
  readonly plan?: { readonly text: string; readonly info: string } | undefined;
}

function renderText(report: ChangesetReport): string {
  const { budget, unit } = CHECK_RUN_TEXT_LIMIT;
  const sections = report.components.flatMap((component) => {
    const section = textSection(component, report.runUrl, unit);
    return section === undefined ? [] : [section];
  });
  if (sections.length === 0) return "_No plan output yet._";

  // Everything but the plans is kept; the plans share what room is left.
  const separator = measure("\n\n", unit);
  const fixedSize = sections.reduce(
    (size, section) =>
      size +
      measure(section.fixed, unit) +
      separator +
      (section.plan === undefined ? 0 : separator),
    0,
  );
  const planSizes = sections.map((section) =>
    section.plan === undefined ? 0 : measure(codeFence(section.plan.text, section.plan.info), unit),
  );
  const shares = fairShare(
    planSizes,
    budget - fixedSize,
    sections.map((section) =>
      section.plan === undefined
        ? 0
        : measure(widestPlanNote(section.plan.text, report.runUrl), unit),
    ),
  );
  const note = planNote(report.runUrl);
  const rendered = sections.map((section, index) =>
    section.plan === undefined
      ? section.fixed
      : `${section.fixed}\n\n${fencedExcerpt(section.plan.text, {
          info: section.plan.info,
          budget: shares[index] ?? 0,
          unit,
          note,
        })}`,
  );
  const text = joinBlocks(rendered);
  if (measure(text, unit) <= budget) return text;
  // The parts other than plans alone overflow (hundreds of failed components): keep the
  // sections that fit whole, so that no code block is left open, and say what is left out.
  return wholeSectionsWithin(
    rendered,
    (left) => `… ${plural(left, "more component")}: full plans and logs at ${report.runUrl}`,
  );
}

function wholeSectionsWithin(sections: readonly string[], note: (left: number) => string): string {
  const { budget, unit } = CHECK_RUN_TEXT_LIMIT;
  const room = budget - measure(`\n\n${note(sections.length)}`, unit);
  let kept = 0;
  let used = 0;
  for (const section of sections) {
    const added = measure(section, unit) + (kept === 0 ? 0 : 2);
    if (used + added > room) break;
    used += added;
    kept += 1;
  }
  // A single section is bounded by the per-item caps, so this cut is a safety net only.
  if (kept === 0)
    return truncateToLimit(sections[0] ?? "", CHECK_RUN_TEXT_LIMIT, note(sections.length));
  return `${joinBlocks(sections.slice(0, kept))}\n\n${note(sections.length - kept)}`;
}

function textSection(
  component: ComponentReport,
  runUrl: string,
  unit: TextUnit,
): TextSection | undefined {
  const plan = planContent(component);
  const diagnostics = component.diagnostics ?? [];
  const failure = component.failureReason;
  const steps = stepSummariesSection(component, runUrl, STEP_SUMMARIES_BUDGET, unit);
  if (plan === undefined && diagnostics.length === 0 && failure === undefined && !steps)
    return undefined;

  const delta =
    component.counts === undefined ? "" : ` · ${codeSpan(formatDelta(component.counts))}`;
  const logNote = (lines: number): string => `… ${lines} more lines in the log: ${runUrl}`;
  const shown = diagnostics.slice(0, DIAGNOSTICS_SHOWN);
  const hidden = diagnostics.length - shown.length;
  const fixed = joinBlocks([
    `### ${escapeMarkdown(component.name)}`,
    `${phaseLabel(component)}${delta}`,
    failure === undefined
      ? undefined
      : `**Failure:**\n\n${fencedExcerpt(failure, { info: "text", budget: FAILURE_REASON_BUDGET, unit, note: logNote })}`,
    ...shown.map((diagnostic) => renderDiagnostic(component, diagnostic, logNote, unit)),
    hidden > 0 ? `… ${hidden} more diagnostics in the log: ${runUrl}` : undefined,
    steps,
  ]);
  return { fixed, plan };
}

function renderDiagnostic(
  component: ComponentReport,
  diagnostic: ReportDiagnostic,
  note: (lines: number) => string,
  unit: TextUnit,
): string {
  const label = diagnostic.severity === "error" ? "Error" : "Warning";
  const file =
    diagnostic.filename === undefined
      ? undefined
      : (diagnosticPath(component.dir, diagnostic.filename) ?? diagnostic.filename);
  const where =
    file === undefined
      ? ""
      : ` (${codeSpan(file)}${diagnostic.line === undefined ? "" : ` line ${diagnostic.line}`})`;
  const heading = `**${label}:** ${escapeMarkdown(diagnostic.summary)}${where}`;
  const detail = diagnostic.detail ?? "";
  if (detail.trim() === "") return heading;
  return `${heading}\n\n${fencedExcerpt(detail, { info: "text", budget: DIAGNOSTIC_DETAIL_BUDGET, unit, note })}`;
}
