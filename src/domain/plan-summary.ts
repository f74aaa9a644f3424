import type { PlanInput, ResourceChangeInput } from "./plan-input.js";
import { containsSensitive } from "./sensitive-values.js";

/**
 * What happens to one resource instance. `import` and `move` are used only when the engine does
 * nothing else to the object (action `no-op`); an import or move combined with an update or replace
 * keeps that action as its kind and says so in `importing` / `previousAddress`. `unknown` is an
 * action list this version of Bosun does not know (the JSON format may add actions in a minor
 * version); it counts as a change so that nothing is ever waved through as "no changes".
 */
export const resourceChangeKinds = [
  "create",
  "update",
  "delete",
  "replace",
  "read",
  "no-op",
  "import",
  "move",
  "forget",
  "unknown",
] as const;
export type ResourceChangeKind = (typeof resourceChangeKinds)[number];

export const outputChangeKinds = ["create", "update", "delete", "no-op", "unknown"] as const;
export type OutputChangeKind = (typeof outputChangeKinds)[number];

export interface ResourceChangeSummary {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly actions: readonly string[];
  readonly kind: ResourceChangeKind;
  /** The engine's `action_reason` (`replace_because_tainted`, `delete_because_no_module`, ...). */
  readonly reason?: string;
  /** The address a `moved {}` block moves the resource from. */
  readonly previousAddress?: string;
  /** The deposed object key, when this change is about a deposed object. */
  readonly deposed?: string;
  readonly importing: boolean;
}

export interface OutputChangeSummary {
  readonly name: string;
  readonly actions: readonly string[];
  readonly kind: OutputChangeKind;
  readonly sensitive: boolean;
}

/**
 * The plan's deltas. `add`, `change` and `destroy` are what `tofu plan` prints in
 * "Plan: X to add, Y to change, Z to destroy": a replace counts once in `add` and once in
 * `destroy`, and is also counted on its own in `replace` so a reader can tell 1 replace from
 * 1 create plus 1 delete. A create-then-forget replace (`removed {}` with `destroy = false` on a
 * replaced object) counts in `add` and `forget`, not `destroy`, as Terraform counts it
 * (`ComponentInstanceChange.CountNewAction` in hashicorp/terraform). `import` counts every object
 * being imported and `move` every object being moved, whatever else happens to it.
 */
export interface PlanDeltaCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly replace: number;
  readonly import: number;
  readonly move: number;
  readonly forget: number;
}

export interface PlanSummary {
  /** Every entry of `resource_changes`, no-ops included, in the plan's order. */
  readonly resources: readonly ResourceChangeSummary[];
  readonly counts: PlanDeltaCounts;
  /** Root module output changes, sorted by name. */
  readonly outputs: readonly OutputChangeSummary[];
  /** Changes made outside the engine since the last apply (`resource_drift`). */
  readonly drift: readonly ResourceChangeSummary[];
  /**
   * Whether applying the plan would do anything, as `plan -detailed-exitcode` decides between 0
   * and 2 (`Changes.Empty()` in opentofu `internal/plans/changes.go`): any resource action other
   * than `no-op`, any move or import, or any root output action other than `no-op`. Drift alone
   * is not a change. This says nothing about success: an errored plan exits 1 whatever its
   * changes, so check `errored` first.
   */
  readonly hasChanges: boolean;
  /** The engine could not finish planning; the saved plan is partial and cannot be applied. */
  readonly errored: boolean;
}

/** Condenses a JSON plan into what Bosun reports and decides on. Pure. */
export function summarisePlan(plan: PlanInput): PlanSummary {
  const counts = { add: 0, change: 0, destroy: 0, replace: 0, import: 0, move: 0, forget: 0 };
  let hasChanges = false;

  const resources = (plan.resource_changes ?? []).map((resourceChange) => {
    const summary = summariseResourceChange(resourceChange);
    const shape = actionShape(summary.actions);
    countShape(shape, counts);
    if (summary.importing) counts.import += 1;
    if (summary.previousAddress !== undefined) counts.move += 1;
    if (shape !== "no-op" || summary.importing || summary.previousAddress !== undefined) {
      hasChanges = true;
    }
    return summary;
  });

  const outputs = Object.entries(plan.output_changes ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, output]): OutputChangeSummary => {
      const kind = outputKind(output.actions);
      if (kind !== "no-op") hasChanges = true;
      return {
        name,
        actions: output.actions,
        kind,
        sensitive:
          containsSensitive(output.before_sensitive) || containsSensitive(output.after_sensitive),
      };
    });

  const drift = (plan.resource_drift ?? []).map(summariseResourceChange);

  return { resources, counts, outputs, drift, hasChanges, errored: plan.errored ?? false };
}

function summariseResourceChange(resourceChange: ResourceChangeInput): ResourceChangeSummary {
  const { address, previous_address: previous } = resourceChange;
  const { actions, importing } = resourceChange.change;
  const moved = previous !== undefined && previous !== address;
  const isImport = importing !== undefined;
  const shape = actionShape(actions);
  const kind = kindOf(shape, isImport, moved);
  return {
    address,
    mode: resourceChange.mode,
    type: resourceChange.type,
    actions,
    kind,
    ...(resourceChange.action_reason !== undefined && { reason: resourceChange.action_reason }),
    ...(moved && { previousAddress: previous }),
    ...(resourceChange.deposed !== undefined && { deposed: resourceChange.deposed }),
    importing: isImport,
  };
}

/**
 * The action lists the JSON plan can hold (opentofu `website/docs/internals/json-format.mdx`,
 * "Change Representation"; hashicorp/terraform `plans.Action`), each spelled out once.
 */
type ActionShape =
  | "no-op"
  | "create"
  | "read"
  | "update"
  | "delete"
  | "forget"
  | "delete-then-create"
  | "create-then-delete"
  | "create-then-forget"
  | "forget-then-create"
  | "unknown";

function actionShape(actions: readonly string[]): ActionShape {
  const [first, second, ...rest] = actions;
  if (rest.length > 0) return "unknown";
  if (second === undefined) {
    switch (first) {
      case "no-op":
      case "create":
      case "read":
      case "update":
      case "delete":
      case "forget":
        return first;
      default:
        return "unknown";
    }
  }
  if (first === "delete" && second === "create") return "delete-then-create";
  if (first === "create" && second === "delete") return "create-then-delete";
  if (first === "create" && second === "forget") return "create-then-forget";
  if (first === "forget" && second === "create") return "forget-then-create";
  return "unknown";
}

function kindOf(shape: ActionShape, importing: boolean, moved: boolean): ResourceChangeKind {
  switch (shape) {
    case "no-op":
      if (importing) return "import";
      if (moved) return "move";
      return "no-op";
    case "create":
    case "read":
    case "update":
    case "delete":
    case "forget":
    case "unknown":
      return shape;
    case "delete-then-create":
    case "create-then-delete":
    case "create-then-forget":
    case "forget-then-create":
      return "replace";
    default:
      return assertNever(shape);
  }
}

function countShape(
  shape: ActionShape,
  counts: { add: number; change: number; destroy: number; replace: number; forget: number },
): void {
  switch (shape) {
    case "create":
      counts.add += 1;
      return;
    case "update":
      counts.change += 1;
      return;
    case "delete":
      counts.destroy += 1;
      return;
    case "forget":
      counts.forget += 1;
      return;
    case "delete-then-create":
    case "create-then-delete":
      counts.add += 1;
      counts.destroy += 1;
      counts.replace += 1;
      return;
    case "create-then-forget":
    case "forget-then-create":
      counts.add += 1;
      counts.forget += 1;
      counts.replace += 1;
      return;
    case "no-op":
    case "read":
    case "unknown":
      return;
    default:
      assertNever(shape);
  }
}

function outputKind(actions: readonly string[]): OutputChangeKind {
  const [action, ...rest] = actions;
  if (rest.length > 0) return "unknown";
  switch (action) {
    case "create":
    case "update":
    case "delete":
    case "no-op":
      return action;
    default:
      return "unknown";
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
