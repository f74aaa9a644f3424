import { sanitizeText } from "./sanitize-text.js";

export interface CodeSpanOptions {
  /**
   * The span goes in a GFM table cell, where `|` ends the cell even inside code unless escaped
   * (GFM spec, "Tables", example 200: the table row is split before inline parsing).
   */
  readonly inTable?: boolean;
}

/**
 * Untrusted text as inline code that cannot break out: the backtick delimiter is one longer than
 * the longest run of backticks inside, and padded with spaces when the text starts or ends with a
 * backtick (CommonMark strips one space from each side again).
 */
export function codeSpan(text: string, options: CodeSpanOptions = {}): string {
  let content = sanitizeText(text).replace(/[\n\t]/g, " ");
  if (options.inTable === true) content = content.replace(/\|/g, "\\|");
  if (content === "") return "` `";
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((run) => run[0].length));
  const delimiter = "`".repeat(longest + 1);
  const pad =
    content.startsWith("`") ||
    content.endsWith("`") ||
    (content.startsWith(" ") && content.endsWith(" ") && content.trim() !== "");
  const inner = pad ? ` ${content} ` : content;
  return `${delimiter}${inner}${delimiter}`;
}
