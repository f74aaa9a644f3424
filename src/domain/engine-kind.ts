/** The engines a stack can run on: OpenTofu (`tofu`) or Terraform (`terraform`). */
export const ENGINE_KINDS = ["opentofu", "terraform"] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];
