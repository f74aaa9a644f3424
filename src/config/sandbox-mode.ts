/** The operator's choice of engine sandbox (BOSUN_SANDBOX). */
export const SANDBOX_MODES = ["auto", "required", "off"] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];
