/** Markdown blocks separated by blank lines; absent blocks are skipped. */
export function joinBlocks(blocks: readonly (string | undefined)[]): string {
  return blocks.filter((block): block is string => block !== undefined).join("\n\n");
}
