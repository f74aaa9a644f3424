/**
 * Stops GitHub from turning `@name` into a mention (a notification to that user or team) and
 * `#123`, `owner/repo#123` or `GH-123` into a cross-reference (a "mentioned this" entry on another
 * issue) in text that came from a plan or a user, by putting a zero-width space into it.
 * Backslash escapes do not help: GitHub links references after Markdown is parsed. Renovate does
 * the same for release notes. Only for Markdown or HTML contexts, where the entity is decoded;
 * code spans and blocks need none of it. A sigil after `&` is left alone: it starts an entity.
 */
export function neutralizeReferences(text: string): string {
  return text
    .replace(/(?<![\p{L}\p{N}_&])([@#])(?=[\p{L}\p{N}])/gu, "$1&#8203;")
    .replace(/([\p{L}\p{N}_.-]\/[\p{L}\p{N}_.-]+)#(?=\p{N})/gu, "$1#&#8203;")
    .replace(/\bGH-(?=\p{N})/gu, "GH&#8203;-");
}
