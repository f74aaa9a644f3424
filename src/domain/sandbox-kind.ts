/**
 * How one engine run was confined, as recorded with its phases: bubblewrap, a uid of its own
 * (uid isolation, where bubblewrap cannot run and Bosun is root), or nothing at all.
 */
export const SANDBOX_KINDS = ["bubblewrap", "uid", "none"] as const;
export type SandboxKind = (typeof SANDBOX_KINDS)[number];
