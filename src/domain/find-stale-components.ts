/**
 * Stale rejection as a compare-and-swap input (docs/design.md invariant 4): the components whose
 * deployed head moved since the changeset recorded it. `null` means "never deployed".
 */
export function findStaleComponents(
  recorded: Readonly<Record<string, string | null>>,
  current: Readonly<Record<string, string | null>>,
): string[] {
  return Object.keys(recorded)
    .filter((componentId) => (current[componentId] ?? null) !== (recorded[componentId] ?? null))
    .sort();
}
