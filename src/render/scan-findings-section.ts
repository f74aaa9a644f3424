import { codeSpan } from "./code-span.js";
import { escapeMarkdown } from "./escape-markdown.js";
import type { ComponentReport } from "./report-model.js";

/**
 * What the pre-plan scan found (docs/design.md "Trust": constructs that run code or reach out during
 * plan) as a Markdown table; undefined when it found nothing.
 */
export function scanFindingsSection(
  components: readonly ComponentReport[],
  heading: string,
): string | undefined {
  const rows = components.flatMap((component) =>
    (component.scanFindings ?? []).map(
      (finding) =>
        `| ${escapeMarkdown(component.name)} | ${escapeMarkdown(finding.kind)} | ${codeSpan(finding.name, { inTable: true })} | ${codeSpan(finding.file, { inTable: true })} | ${codeSpan(finding.detail, { inTable: true })} |`,
    ),
  );
  if (rows.length === 0) return undefined;
  return [
    heading,
    "",
    "These run code or fetch plugins while the pull request's code is planned:",
    "",
    "| Component | Kind | Name | File | Detail |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
