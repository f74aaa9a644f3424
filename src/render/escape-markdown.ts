import { neutralizeReferences } from "./neutralize-references.js";
import { sanitizeText } from "./sanitize-text.js";

/**
 * Untrusted text made into inline Markdown that renders as that text and nothing else: one line
 * (line breaks become spaces, so a table row or list item stays one), every character with inline
 * meaning backslash-escaped (including `|`, so it is safe in a table cell, and `&`, so no entity
 * is decoded), a line-start marker escaped, mentions and issue references neutralised.
 */
export function escapeMarkdown(text: string): string {
  const escaped = sanitizeText(text)
    .replace(/\s*\n\s*/g, " ")
    .replace(/\t/g, " ")
    .replace(/[\\`*_{}[\]()<>|~&!]/g, "\\$&")
    .replace(/^([#+\-=])/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2");
  return neutralizeReferences(escaped);
}
