import { codeSpan } from "./code-span.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { formatDelta } from "./format-delta.js";
import { phaseLabel } from "./phase-label.js";
import type { ComponentReport } from "./report-model.js";

/** One row per component: name, change kind, `+add ~change -destroy`, status. */
export function componentTable(components: readonly ComponentReport[]): string {
  const rows = components.map((component) => {
    const delta =
      component.counts === undefined
        ? "—"
        : codeSpan(formatDelta(component.counts), { inTable: true });
    return `| ${escapeMarkdown(component.name)} | ${component.changeKind} | ${delta} | ${phaseLabel(component)} |`;
  });
  return ["| Component | Change | Plan | Status |", "| --- | --- | --- | --- |", ...rows].join(
    "\n",
  );
}
