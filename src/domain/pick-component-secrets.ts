import type { SecretScopeName } from "./secret-scope.js";

/** A stored secret as the resolution rule sees it: no value, so nothing is opened needlessly. */
export interface SecretEntry {
  name: string;
  /** Undefined: stack-wide, for every environment of the stack. */
  environment: string | undefined;
  scope: SecretScopeName;
}

/**
 * The secrets one phase of one component receives, from its stack's entries:
 *
 * - only entries of the component's own environment, and the stack-wide ones;
 * - an environment's own entry wins over the stack-wide one of the same name, whatever their
 *   scopes: an operator who sets `network@prod DB_PASSWORD` means prod to have that value or none,
 *   never the value set for every environment, so the choice is by name before it is by phase;
 * - stack-wide entries only when `stackWide` says so: the tracked branch declares this
 *   environment for the stack (ComponentSpec.stackWideSecrets). An environment only a pull request
 *   declares gets what an operator set for it by name, nothing it would inherit by accident;
 * - of those, the entries whose scope includes the phase.
 */
export function pickComponentSecrets<T extends SecretEntry>(
  entries: readonly T[],
  component: { environment: string; phase: "plan" | "apply"; stackWide: boolean },
): T[] {
  const chosen = new Map<string, T>();
  for (const entry of entries) {
    if (entry.environment === component.environment) chosen.set(entry.name, entry);
  }
  if (component.stackWide) {
    for (const entry of entries) {
      if (entry.environment === undefined && !chosen.has(entry.name)) chosen.set(entry.name, entry);
    }
  }
  return [...chosen.values()].filter(
    (entry) => entry.scope === "both" || entry.scope === component.phase,
  );
}
