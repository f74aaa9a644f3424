/**
 * What started a run (docs/design.md "Nouns"): a pull request's plan, a push to the tracked branch,
 * or a `/destroy`.
 */
export const RUN_KINDS = ["proposed", "tracked", "destroy"] as const;
export type RunKind = (typeof RUN_KINDS)[number];
