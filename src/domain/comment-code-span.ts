const MAX_ECHO = 80;

/**
 * Comment text as a Markdown code span, shortened: inside one, `@team` mentions nobody and
 * `[x](y)` links nowhere. The fence is longer than any run of backticks in the text (CommonMark).
 */
export function codeSpan(text: string): string {
  const shown = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO - 1)}…` : text;
  const longest = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = shown.startsWith("`") || shown.endsWith("`") ? " " : "";
  return `${fence}${pad}${shown}${pad}${fence}`;
}
