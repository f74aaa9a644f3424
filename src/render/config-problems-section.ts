import { codeSpan } from "./code-span.js";
import { escapeMarkdown } from "./escape-markdown.js";
import type { ConfigProblem } from "./report-model.js";

/** docs/design.md: a bad bosun.yml fails with "every problem listed by path and line". */
export function configProblemsSection(problems: readonly ConfigProblem[]): string | undefined {
  if (problems.length === 0) return undefined;
  const lines = problems.map((problem) => {
    const where = [
      codeSpan(problem.file),
      ...(problem.line === undefined ? [] : [`line ${problem.line}`]),
      ...(problem.path === "" ? [] : [codeSpan(problem.path)]),
    ].join(", ");
    return `- ${where}: ${escapeMarkdown(problem.message)}`;
  });
  return [
    "**The repository config has problems, so nothing was planned.** Fix them and push again:",
    "",
    ...lines,
  ].join("\n");
}
