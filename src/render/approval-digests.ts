import { checkRunStateOf } from "./check-run-state.js";
import { codeSpan } from "./code-span.js";
import { escapeMarkdown } from "./escape-markdown.js";
import type { ChangesetReport } from "./report-model.js";

/**
 * What approving names (docs/design.md "Trust": "Approving names a plan"): the digests of the sealed
 * plans awaiting approval, and that `/apply` applies exactly those or nothing. Only while the run
 * as a whole awaits approval: beside a failed plan there is nothing a reviewer should approve.
 */
export function approvalDigests(report: ChangesetReport): string | undefined {
  const state = checkRunStateOf(report);
  if (state.status !== "completed" || state.conclusion !== "action_required") return undefined;
  const plans = report.components.flatMap((component) =>
    component.phase === "UNCONFIRMED" && component.planDigest !== undefined
      ? [{ name: component.name, digest: component.planDigest }]
      : [],
  );
  const [only] = plans;
  if (only === undefined) return undefined;
  if (plans.length === 1) {
    return `Approving applies plan ${codeSpan(only.digest)} (${escapeMarkdown(only.name)}): \`/apply\` applies that plan or nothing. A new plan replaces it and clears earlier approvals.`;
  }
  const list = plans.map((plan) => `- ${escapeMarkdown(plan.name)}: ${codeSpan(plan.digest)}`);
  return [
    "Approving applies these plans: `/apply` applies them or nothing. A new plan replaces them and clears earlier approvals.",
    "",
    ...list,
  ].join("\n");
}
