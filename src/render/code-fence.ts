import { sanitizeText } from "./sanitize-text.js";

/**
 * Untrusted text as a fenced code block it cannot close early: the fence is one backtick longer
 * than the longest run of backticks inside (a closing fence must be at least as long as the
 * opening one, CommonMark 4.5), so a plan holding "```" or "</details>" stays inside the block.
 * Trailing line breaks are dropped; `info` is Bosun's own (`diff`, `text`), never user input.
 */
export function codeFence(text: string, info = ""): string {
  const content = sanitizeText(text).replace(/\n+$/, "");
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return content === "" ? `${fence}${info}\n${fence}` : `${fence}${info}\n${content}\n${fence}`;
}
