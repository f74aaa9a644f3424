import { codeSpan } from "./code-span.js";
import { escapeMarkdown } from "./escape-markdown.js";
import type { ComponentReport, PolicyLevel } from "./report-model.js";

const order: Readonly<Record<PolicyLevel, number>> = { deny: 0, warn: 1 };

/** The policies that denied or warned, denials first, as a Markdown section; undefined if none. */
export function policyFindingsSection(
  components: readonly ComponentReport[],
  heading: string,
): string | undefined {
  const findings = components.flatMap((component) =>
    (component.policyFindings ?? []).map((finding) => ({ component: component.name, ...finding })),
  );
  if (findings.length === 0) return undefined;
  const sorted = findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => order[a.finding.level] - order[b.finding.level] || a.index - b.index)
    .map(({ finding }) => finding);
  const lines = sorted.map(
    (finding) =>
      `- **${finding.level}** ${codeSpan(finding.policy)} on ${escapeMarkdown(finding.component)}: ${escapeMarkdown(finding.message)}`,
  );
  return [heading, "", ...lines].join("\n");
}
