import { approvalDigests } from "./approval-digests.js";
import { checkRunStateOf } from "./check-run-state.js";
import { codeFence } from "./code-fence.js";
import { codeSpan } from "./code-span.js";
import { commentMarker } from "./comment-marker.js";
import { componentHasChanges } from "./component-has-changes.js";
import { componentTable } from "./component-table.js";
import { configProblemsSection } from "./config-problems-section.js";
import { diagnosticPath } from "./diagnostic-path.js";
import { escapeHtml } from "./escape-html.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { fairShare } from "./fair-share.js";
import { fencedExcerpt } from "./fenced-excerpt.js";
import { formatDelta } from "./format-delta.js";
import { joinBlocks } from "./join-blocks.js";
import { COMMENT_BODY_LIMIT, cutAtLineBoundary, measure } from "./limits.js";
import { phaseLabel } from "./phase-label.js";
import { planContent, type PlanContent } from "./plan-content.js";
import { planNote, widestPlanNote } from "./plan-note.js";
import { policyFindingsSection } from "./policy-findings-section.js";
import type { ChangesetReport, ComponentReport } from "./report-model.js";
import { runTitle } from "./run-title.js";
import { staleBanner } from "./stale-banner.js";
import { statusLine } from "./status-line.js";
import { waitingNote } from "./waiting-note.js";

export interface PrCommentOptions {
  /** The hidden marker's name, e.g. `bosun:pr-comment` (see {@link commentMarker}). */
  readonly marker: string;
}

// Per-item caps, as in the check run, so one long error cannot crowd out the plans.
const FAILURE_REASON_BUDGET = 8_000;
const DIAGNOSTICS_SHOWN = 20;

const { budget: BODY_BUDGET, unit } = COMMENT_BODY_LIMIT;
const SEPARATOR = "\n\n";
const CONTINUED_FOOTER = "_Continued in the next comment._";
const noReports = "This pull request changes no stack in any environment.";

/**
 * The PR's one Bosun comment, for every environment the PR touches (one report each): per
 * environment a heading with the run's title, the status, what approving names, a table of
 * deltas and policy findings; then per component a collapsible section with its plan, failure
 * or why it waits; then the commands.
 *
 * Normally one body. Plans never add a body: they share what room the rest leaves, fairly (small
 * plans whole, long ones cut at whole lines with a link to the run page, which has every plan
 * whole). Only when the rest alone cannot fit GitHub's comment limit (hundreds of components, many
 * long failures) do further bodies follow, each marked `<marker>:part-n` and headed
 * "(continued n/m)"; the plans in each body then share the room that body has left. A section is
 * not split between bodies unless it is too large for one on its own.
 */
export function renderPrComment(
  reports: readonly ChangesetReport[],
  options: PrCommentOptions,
): string[] {
  const { marker } = options;
  const room = BODY_BUDGET - reserveFor(marker);
  const blocks: Block[] = [
    ...(reports.length === 0 ? [textBlock(noReports)] : []),
    ...reports.flatMap((report) => reportBlocks(report)),
    textBlock(commandsFooter(reports)),
  ].flatMap((block) => {
    // A section too large for a body even without its plan (a table of hundreds of
    // components) is split at lines, and its plan left to the run page.
    const bare = render(block, "");
    return size(bare) <= room ? [block] : splitAtLines(bare, room).map(textBlock);
  });

  // Lay the blocks out with each plan replaced by the note that says where it is, then let the
  // plans of each body share what room that body has left, so that plans never add a body.
  const placeholder = (block: Block): string =>
    block.plan === undefined ? "" : widestPlanNote(block.plan.text, block.runUrl ?? "");
  const groups = pack(blocks, (block) => size(render(block, placeholder(block))), room);
  const parts = groups.map((members) => {
    const bare = members.reduce(
      (total, block) => total + size(render(block, "")),
      size(SEPARATOR) * (members.length - 1),
    );
    const shares = fairShare(
      members.map(({ plan }) => (plan === undefined ? 0 : size(codeFence(plan.text, plan.info)))),
      room - bare,
      members.map((block) => size(placeholder(block))),
    );
    return members
      .map((block, position) =>
        block.plan === undefined
          ? render(block, "")
          : render(
              block,
              fencedExcerpt(block.plan.text, {
                info: block.plan.info,
                budget: shares[position] ?? 0,
                unit,
                note: planNote(block.runUrl ?? ""),
              }),
            ),
      )
      .join(SEPARATOR);
  });
  return parts.map((content, index) => {
    const part = index + 1;
    const header =
      part === 1
        ? commentMarker(marker)
        : `${commentMarker(marker, part)}\n### Bosun (continued ${part}/${parts.length})`;
    const more = part < parts.length ? `${SEPARATOR}${CONTINUED_FOOTER}` : "";
    return `${header}${SEPARATOR}${content}${more}`;
  });
}

function render(block: Block, plan: string): string {
  return block.plan === undefined
    ? `${block.before}${block.after}`
    : `${block.before}${SEPARATOR}${plan}${block.after}`;
}

/** A piece of the comment that stays together: `before`, the plan (if any), `after`. */
interface Block {
  readonly before: string;
  readonly after: string;
  readonly plan?: PlanContent | undefined;
  /** Where the whole plan is; set with `plan`. */
  readonly runUrl?: string | undefined;
}

function textBlock(markdown: string): Block {
  return { before: markdown, after: "" };
}

function reportBlocks(report: ChangesetReport): Block[] {
  const state = checkRunStateOf(report);
  const problems = configProblemsSection(report.configProblems ?? []);
  const heading = `### ${codeSpan(report.environment)}: ${escapeMarkdown(runTitle(report, state))}`;
  const overview = joinBlocks([
    heading,
    statusLine(report),
    staleBanner(report),
    problems,
    problems === undefined ? approvalDigests(report) : undefined,
    report.components.length > 0 ? componentTable(report.components) : undefined,
    policyFindingsSection(report.components, "#### Policies"),
  ]);
  const sections = report.components.flatMap((component) => {
    const section = componentBlock(component, report.runUrl);
    return section === undefined ? [] : [section];
  });
  return [textBlock(overview), ...sections];
}

function componentBlock(component: ComponentReport, runUrl: string): Block | undefined {
  const plan = planContent(component);
  const logNote = (lines: number): string => `… ${lines} more lines in the log: ${runUrl}`;
  const diagnostics = component.diagnostics ?? [];
  const shown = diagnostics.slice(0, DIAGNOSTICS_SHOWN);
  const hidden = diagnostics.length - shown.length;
  const findings = (component.scanFindings ?? []).map(
    (finding) =>
      `- ${escapeMarkdown(finding.kind)} ${codeSpan(finding.name)} in ${codeSpan(finding.file)}: ${codeSpan(finding.detail)}`,
  );
  const inner = joinBlocks([
    waitingNote(component),
    component.failureReason === undefined
      ? undefined
      : `**Failure:**${SEPARATOR}${fencedExcerpt(component.failureReason, {
          info: "text",
          budget: FAILURE_REASON_BUDGET,
          unit,
          note: logNote,
        })}`,
    shown.length === 0
      ? undefined
      : [
          ...shown.map((diagnostic) => {
            const file =
              diagnostic.filename === undefined
                ? undefined
                : (diagnosticPath(component.dir, diagnostic.filename) ?? diagnostic.filename);
            const where =
              file === undefined
                ? ""
                : ` (${codeSpan(file)}${diagnostic.line === undefined ? "" : ` line ${diagnostic.line}`})`;
            const label = diagnostic.severity === "error" ? "Error" : "Warning";
            return `- **${label}:** ${escapeMarkdown(diagnostic.summary)}${where}`;
          }),
          ...(hidden > 0 ? [`- … ${hidden} more in the log: ${runUrl}`] : []),
        ].join("\n"),
    findings.length === 0
      ? undefined
      : ["Runs code or fetches plugins during plan:", "", ...findings].join("\n"),
  ]);
  if (plan === undefined && inner === "") return undefined;
  const open = component.phase === "FAILED" ? " open" : "";
  const opening = `<details${open}><summary>${summaryLine(component)}</summary>`;
  // A blank line after <summary> and before </details>, or GitHub renders the Markdown between
  // them as raw text (an HTML block runs until a blank line).
  const before = inner === "" ? opening : `${opening}${SEPARATOR}${inner}`;
  return { before, after: `${SEPARATOR}</details>`, plan, runUrl };
}

function summaryLine(component: ComponentReport): string {
  const name = escapeHtml(component.name);
  const status = phaseLabel(component).toLowerCase();
  if (component.counts === undefined) return `${name}: ${status}`;
  const delta = escapeHtml(formatDelta(component.counts));
  switch (component.phase) {
    case "UNCONFIRMED":
      return `${name}: ${delta}`;
    case "FINISHED":
      return componentHasChanges(component) ? `${name}: ${delta}, applied` : `${name}: no changes`;
    default:
      return `${name}: ${delta}, ${status}`;
  }
}

function commandsFooter(reports: readonly ChangesetReport[]): string {
  // A stale plan's apply would be refused: its banner already says to /plan.
  const awaiting = reports.some((report) => {
    const state = checkRunStateOf(report);
    return (
      state.status === "completed" &&
      state.conclusion === "action_required" &&
      report.stale === undefined
    );
  });
  const sentence = awaiting
    ? `Comment \`/apply\` to apply these plans, \`/discard\` to discard them; \`/help\` for more.${reports.length > 1 ? " Add `-e ENV` to act on one environment." : ""}`
    : "Comment `/plan` to plan again; `/help` for more.";
  return `---${SEPARATOR}${sentence}`;
}

/** The worst case of what a body adds around its content: marker, heading, footer. */
function reserveFor(marker: string): number {
  const header = `${commentMarker(marker, 99)}\n### Bosun (continued 99/99)${SEPARATOR}`;
  return size(header) + size(`${SEPARATOR}${CONTINUED_FOOTER}`);
}

/** Items into bodies of `room` in order, each body as full as the next item allows. */
function pack<T>(items: readonly T[], sizeOf: (item: T) => number, room: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    const added = current.length === 0 ? itemSize : used + size(SEPARATOR) + itemSize;
    if (current.length > 0 && added > room) {
      groups.push(current);
      current = [item];
      used = itemSize;
    } else {
      current.push(item);
      used = added;
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function splitAtLines(text: string, room: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest !== "") {
    const cut = cutAtLineBoundary(rest, room, unit);
    if (cut.text === "") break;
    parts.push(cut.text);
    rest = rest.slice(cut.text.length).replace(/^\n/, "");
  }
  return parts;
}

function size(text: string): number {
  return measure(text, unit);
}
