import type { DriftedStack } from "../domain/drift-outcome.js";
import { codeSpan } from "./code-span.js";
import { formatDelta } from "./format-delta.js";
import { ISSUE_BODY_LIMIT, truncateToLimit } from "./limits.js";

/** Resource addresses listed per stack; the rest are counted, and the run page has them all. */
const ADDRESSES_SHOWN = 10;

export interface DriftIssueInput {
  environment: string;
  /** The drift check's run page (a signed link). */
  runUrl: string;
  checkedAt: Date;
  stacks: readonly (DriftedStack & { commitSha: string })[];
  /** `drift.reconcile`: a tracked run is opened to put the stacks back. */
  reconcile: boolean;
}

/** "2026-12-07 18:00 UTC": a check's time, the same for every reader. */
function utcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function addresses(stack: DriftedStack): string {
  const shown = stack.addresses
    .slice(0, ADDRESSES_SHOWN)
    .map((address) => codeSpan(address, { inTable: true }));
  const more = stack.addresses.length - shown.length;
  if (shown.length === 0) return "outputs only";
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

/**
 * The issue that tracks an environment's drift (docs/design.md "Runs without a pull request"):
 * one per environment, its body replaced by each check that finds drift.
 */
export function renderDriftIssue(input: DriftIssueInput): { title: string; body: string } {
  const rows = input.stacks.map(
    (stack) =>
      `| ${codeSpan(stack.stack, { inTable: true })} | ${codeSpan(stack.commitSha.slice(0, 7))} | ${formatDelta(stack.counts)} | ${addresses(stack)} |`,
  );
  const body = [
    `Bosun's drift check found that what is deployed in **${input.environment}** no longer matches what was applied: a plan of each stack below, at the commit it was deployed from and with the inputs it was applied with, would change it.`,
    "",
    "| stack | deployed commit | a plan would | resources |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    `Checked ${utcMinute(input.checkedAt)}: [the drift check's run](${input.runUrl}) has each plan.`,
    "",
    input.reconcile
      ? "With `drift.reconcile: true`, Bosun opens a tracked run of these stacks at the tracked branch's head to put them back; it is applied through the usual approval (or autodeploy)."
      : "Applying the stack again puts it back (a push, or **Plan & apply** on its page); or change the code to match what is there.",
    "",
    "Bosun updates this issue at each check that finds drift, and closes it at the first that finds none.",
  ].join("\n");
  return {
    title: `Drift detected in ${input.environment}`,
    body: truncateToLimit(
      body,
      ISSUE_BODY_LIMIT,
      "…(cut to GitHub's size limit; the run page has everything)",
    ),
  };
}

/** The comment that closes the issue: a later check found no drift. */
export function renderDriftResolved(input: {
  environment: string;
  runUrl: string;
  checkedAt: Date;
}): string {
  return `Bosun's drift check of ${utcMinute(input.checkedAt)} found no drift in **${input.environment}**: every deployed stack matches what was applied ([the run](${input.runUrl})). Closing.`;
}
