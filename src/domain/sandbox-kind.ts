/** How one engine run was confined, as recorded with its phases: bubblewrap, or nothing at all. */
export const SANDBOX_KINDS = ["bubblewrap", "none"] as const;
export type SandboxKind = (typeof SANDBOX_KINDS)[number];
