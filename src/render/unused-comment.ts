/**
 * The body of a continuation comment no longer needed: emptied rather than deleted, its marker
 * keeps it findable so its id can be reused.
 */
export function renderUnusedComment(marker: string): string {
  return `<!-- ${marker}:unused -->\n_(no longer used)_`;
}
