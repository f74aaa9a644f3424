import { escapeMarkdown } from "./escape-markdown.js";
import type { ChangesetReport } from "./report-model.js";

/** docs/design.md "Stale rejection": what moved, and that `/plan` re-bases. Undefined when not stale. */
export function staleBanner(report: ChangesetReport): string | undefined {
  if (report.stale === undefined) return undefined;
  return [
    `> **This plan is stale:** ${escapeMarkdown(report.stale.reason)}`,
    ">",
    "> `/apply` will be refused. Comment `/plan` to plan again on top of what changed.",
  ].join("\n");
}
