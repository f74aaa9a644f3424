import { codeSpan } from "./code-span.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { measure, truncateToLimit, type TextUnit } from "./limits.js";
import { neutralizeReferences } from "./neutralize-references.js";
import type { ComponentReport, StepReport } from "./report-model.js";
import { sanitizeText } from "./sanitize-text.js";

/**
 * The custom steps' part of a check run's summary (docs/design.md "Custom steps"): steps whose
 * failure was turned into a warning, and the stacks whose steps the pull request changes (they
 * run once it is merged). Undefined when there is nothing to say.
 */
export function stepNoticesSection(
  components: readonly ComponentReport[],
  heading: string,
): string | undefined {
  const warnings = components.flatMap((component) =>
    (component.stepWarnings ?? []).map(
      (warning) =>
        `- ⚠️ ${escapeMarkdown(component.name)}: step ${codeSpan(warning.step)} (${codeSpan(warning.hook)}) failed and is set to warn: ${escapeMarkdown(warning.message)}. Autodeploy is held: a person must confirm.`,
    ),
  );
  const pending = [
    ...new Set(components.filter((c) => c.stepsPending === true).map((c) => c.stack)),
  ];
  const lines = [
    ...warnings,
    ...(pending.length > 0
      ? [
          `- This pull request changes the custom steps of ${pending.map((stack) => codeSpan(stack)).join(", ")}: they take effect once merged. This plan ran the tracked branch's steps.`,
        ]
      : []),
  ];
  return lines.length === 0 ? undefined : [heading, "", ...lines].join("\n");
}

/**
 * A component's steps in a check run's text: each step that wrote a summary, under its name, the
 * Markdown cut to its share of `budget` at a line boundary with a note pointing to the run page. A code fence
 * left open by the cut is closed, so that it cannot swallow what follows.
 */
export function stepSummariesSection(
  component: ComponentReport,
  runUrl: string,
  budget: number,
  unit: TextUnit,
): string | undefined {
  const written = (component.steps ?? []).filter(
    (step): step is StepReport & { summary: string } => (step.summary ?? "").trim() !== "",
  );
  if (written.length === 0) return undefined;
  const share = Math.floor((budget - 2 * (written.length - 1)) / written.length);
  return written
    .map((step) => {
      const heading = `#### Step ${codeSpan(step.name)} (${codeSpan(step.hook)})`;
      const room = share - measure(`${heading}\n\n`, unit);
      const cut = truncateToLimit(
        neutralizeReferences(sanitizeText(step.summary)),
        { budget: room - FENCE_CLOSE.length, unit },
        (lines) => `\n… ${lines} more lines of this summary on the run page: ${runUrl}`,
      );
      return `${heading}\n\n${closeOpenFence(cut)}`;
    })
    .join("\n\n");
}

const FENCE_CLOSE = "\n```";

/** Markdown whose fenced code blocks are all closed: an odd number of fence lines gets one more. */
function closeOpenFence(markdown: string): string {
  const fences = markdown.split("\n").filter((line) => /^\s{0,3}(```|~~~)/.test(line)).length;
  return fences % 2 === 1 ? `${markdown}${FENCE_CLOSE}` : markdown;
}
