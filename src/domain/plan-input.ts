/*
 * The shape of `tofu show -json PLANFILE` / `terraform show -json PLANFILE` that the domain reads,
 * written structurally so the domain needs no parser: `PlanJson` from src/runner/plan-json.ts is
 * assignable to `PlanInput` (a unit test pins that). Field names keep the engine's snake_case.
 * Reference: https://opentofu.org/docs/internals/json-format/
 */

/**
 * The engine's sensitivity marks for one value, as in `before_sensitive` / `after_sensitive` of the
 * JSON plan: `true` marks the whole (sub)value sensitive, `false` or a missing key marks nothing,
 * and arrays/objects mirror the value's own structure (set elements by position).
 * https://opentofu.org/docs/internals/json-format/#change-representation
 */
export type SensitiveMask =
  boolean | readonly SensitiveMask[] | { readonly [key: string]: SensitiveMask };

export interface ResourceChangeInput {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  /** Set when this entry is a deposed object (left over from a create_before_destroy replace). */
  readonly deposed?: string | undefined;
  readonly action_reason?: string | undefined;
  /** Set when a `moved {}` block renamed the resource; equal to `address` otherwise, or absent. */
  readonly previous_address?: string | undefined;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly before_sensitive?: SensitiveMask | undefined;
    readonly after_sensitive?: SensitiveMask | undefined;
    /** Present when an `import {}` block brings the object under management in this plan. */
    readonly importing?: object | undefined;
  };
}

export interface OutputChangeInput {
  readonly actions: readonly string[];
  readonly before?: unknown;
  /** Absent while the value is unknown until apply. */
  readonly after?: unknown;
  readonly before_sensitive?: SensitiveMask | undefined;
  readonly after_sensitive?: SensitiveMask | undefined;
}

export interface PlanInput {
  readonly resource_changes?: readonly ResourceChangeInput[] | undefined;
  readonly resource_drift?: readonly ResourceChangeInput[] | undefined;
  readonly output_changes?: Readonly<Record<string, OutputChangeInput>> | undefined;
  /** Root module variable values. Sensitivity is declared in `configuration`, not here. */
  readonly variables?: Readonly<Record<string, { readonly value?: unknown }>> | undefined;
  readonly configuration?:
    | {
        readonly root_module?:
          | {
              readonly variables?:
                Readonly<Record<string, { readonly sensitive?: boolean | undefined }>> | undefined;
            }
          | undefined;
      }
    | undefined;
  readonly errored?: boolean | undefined;
}
