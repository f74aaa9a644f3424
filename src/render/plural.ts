/** "1 component", "3 components": English plurals for the nouns Bosun counts. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
