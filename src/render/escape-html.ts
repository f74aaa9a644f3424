import { neutralizeReferences } from "./neutralize-references.js";
import { sanitizeText } from "./sanitize-text.js";

const entities: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Untrusted text for a one-line HTML context such as `<summary>`, where GitHub does not process
 * Markdown (so backslash escapes would show) but does decode entities. Line breaks become spaces:
 * a blank line would end the HTML block and spill the rest into Markdown.
 */
export function escapeHtml(text: string): string {
  const escaped = sanitizeText(text)
    .replace(/\s*\n\s*/g, " ")
    .replace(/\t/g, " ")
    .replace(/[&<>"']/g, (char) => entities[char] ?? char);
  return neutralizeReferences(escaped);
}
