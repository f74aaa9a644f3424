// Safe inside an HTML comment: no `--` (which may not appear in one) and no `>`.
const markerPattern = /^[A-Za-z0-9](?:[A-Za-z0-9:._]|-(?!-))*$/;

/**
 * The hidden first line that lets Bosun find its own comment again and edit it in place:
 * `<!-- bosun:pr-comment -->` for the comment, `<!-- bosun:pr-comment:part-2 -->` for the
 * continuations that exist only when the report does not fit one comment.
 */
export function commentMarker(marker: string, part = 1): string {
  if (!markerPattern.test(marker)) {
    throw new Error(
      `rendering a comment marker: "${marker}" must be letters, digits, ":", ".", "_" and single "-"`,
    );
  }
  if (!Number.isInteger(part) || part < 1) {
    throw new RangeError(
      `rendering a comment marker: part must be a positive integer, got ${part}`,
    );
  }
  return part === 1 ? `<!-- ${marker} -->` : `<!-- ${marker}:part-${part} -->`;
}

/** Which part of the marked comment `body` is (1 for the comment itself), if it is one at all. */
export function commentMarkerPart(body: string, marker: string): number | undefined {
  const firstLine = body.split("\n", 1)[0]?.trim() ?? "";
  if (firstLine === commentMarker(marker)) return 1;
  const prefix = `<!-- ${marker}:part-`;
  if (!firstLine.startsWith(prefix) || !firstLine.endsWith(" -->")) return undefined;
  const digits = firstLine.slice(prefix.length, -" -->".length);
  return /^[1-9][0-9]*$/.test(digits) && digits !== "1" ? Number(digits) : undefined;
}
