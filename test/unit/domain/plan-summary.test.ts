import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { PlanInput, ResourceChangeInput } from "../../../src/domain/plan-input.js";
import {
  summarisePlan,
  type PlanDeltaCounts,
  type ResourceChangeKind,
} from "../../../src/domain/plan-summary.js";
import { parsePlanJson } from "../../../src/runner/plan-json.js";

const fixtureDir = new URL("../../fixtures/plan-json/", import.meta.url);
const loadPlan = (name: string): PlanInput => {
  // Assigning PlanJson to PlanInput here is the compile-time proof that they fit together.
  const plan: PlanInput = parsePlanJson(readFileSync(new URL(name, fixtureDir), "utf8"));
  return plan;
};

const zero: PlanDeltaCounts = {
  add: 0,
  change: 0,
  destroy: 0,
  replace: 0,
  import: 0,
  move: 0,
  forget: 0,
};

interface Expected {
  counts: PlanDeltaCounts;
  kinds: ResourceChangeKind[];
  hasChanges: boolean;
  outputs: { name: string; kind: string; sensitive: boolean }[];
  drift: { address: string; kind: ResourceChangeKind }[];
}

// Determined from the fixtures and plan-json/SOURCES.md. Where the same run's UI stream or apply
// is in ui-json/, its change_summary agrees (checked in ui-stream.test.ts).
const fixtures: Record<string, Expected> = {
  "terraform-1.14.6_data-source-read-update-replace.json": {
    counts: { ...zero, add: 1, change: 3, destroy: 1, replace: 1 },
    kinds: ["read", "replace", "no-op", "no-op", "update", "update", "update"],
    hasChanges: true,
    outputs: [{ name: "config_value", kind: "update", sensitive: false }],
    drift: [],
  },
  // Only state operations: nothing to add, change or destroy, yet `plan` exited 2.
  "terraform-1.14.6_moved-import-forget.json": {
    counts: { ...zero, import: 1, move: 1, forget: 1 },
    kinds: ["forget", "no-op", "move", "no-op", "import"],
    hasChanges: true,
    outputs: [],
    drift: [],
  },
  // `plan -detailed-exitcode` exited 0.
  "terraform-1.14.9_no-changes.json": {
    counts: zero,
    kinds: ["no-op", "no-op", "no-op"],
    hasChanges: false,
    outputs: [],
    drift: [],
  },
  "terraform-1.14.9_replace-delete-update-check.json": {
    counts: { ...zero, add: 1, change: 1, destroy: 2, replace: 1 },
    kinds: ["no-op", "replace", "delete", "update"],
    hasChanges: true,
    outputs: [],
    drift: [],
  },
  "terraform-1.15.0_replace-tainted.json": {
    counts: { ...zero, add: 1, destroy: 1, replace: 1 },
    kinds: ["replace"],
    hasChanges: true,
    outputs: [],
    drift: [],
  },
  // Its apply printed "Resources: 5 added, 0 changed, 4 destroyed".
  "tofu-1.11.5_modules_replace-delete-create-outputs-update.json": {
    counts: { ...zero, add: 5, destroy: 4, replace: 2 },
    kinds: ["replace", "replace", "no-op", "delete", "delete", "create", "create", "create"],
    hasChanges: true,
    outputs: [
      { name: "generated_name", kind: "update", sensitive: false },
      { name: "root_id", kind: "update", sensitive: false },
    ],
    drift: [],
  },
  "tofu-1.11.5_sensitive-replace-sensitive-output.json": {
    counts: { ...zero, add: 1, destroy: 1, replace: 1 },
    kinds: ["replace"],
    hasChanges: true,
    outputs: [
      { name: "secret_checksum", kind: "update", sensitive: true },
      { name: "secret_path", kind: "no-op", sensitive: false },
    ],
    drift: [],
  },
  "tofu-1.11.6_drift-update.json": {
    counts: { ...zero, change: 1 },
    kinds: ["update"],
    hasChanges: true,
    outputs: [],
    drift: [{ address: "filesystem_file_writer.managed", kind: "update" }],
  },
  "tofu-equivalence_complex-nested-update-normalized_LARGEST.json": {
    counts: { ...zero, change: 1 },
    kinds: ["update"],
    hasChanges: true,
    outputs: [],
    drift: [],
  },
  // `plan -destroy`: every managed resource is a delete.
  "tofu-equivalence_destroy-mode-complex-normalized.json": {
    counts: { ...zero, destroy: 1 },
    kinds: ["delete"],
    hasChanges: true,
    outputs: [],
    drift: [],
  },
};

describe("summarisePlan on the real plans", () => {
  it("has an expectation for every fixture on disk", () => {
    const onDisk = readdirSync(fixtureDir).filter((name) => name.endsWith(".json"));
    expect(onDisk.sort()).toEqual(Object.keys(fixtures).sort());
  });

  it.each(Object.entries(fixtures))("summarises %s", (name, expected) => {
    const summary = summarisePlan(loadPlan(name));
    expect(summary.counts).toEqual(expected.counts);
    expect(summary.resources.map((r) => r.kind)).toEqual(expected.kinds);
    expect(summary.hasChanges).toBe(expected.hasChanges);
    expect(summary.errored).toBe(false);
    expect(summary.outputs.map(({ name, kind, sensitive }) => ({ name, kind, sensitive }))).toEqual(
      expected.outputs,
    );
    expect(summary.drift.map(({ address, kind }) => ({ address, kind }))).toEqual(expected.drift);
  });

  it.each(Object.keys(fixtures))("agrees with Terraform's own applyable flag: %s", (name) => {
    const text = readFileSync(new URL(name, fixtureDir), "utf8");
    const applyable = parsePlanJson(text).applyable;
    const summary = summarisePlan(loadPlan(name));
    if (applyable !== undefined) expect(summary.hasChanges && !summary.errored).toBe(applyable);
  });

  it("describes each resource change", () => {
    const summary = summarisePlan(loadPlan("terraform-1.14.6_moved-import-forget.json"));
    expect(summary.resources).toEqual([
      {
        address: "null_resource.ephemeral",
        mode: "managed",
        type: "null_resource",
        actions: ["forget"],
        kind: "forget",
        reason: "delete_because_no_resource_config",
        importing: false,
      },
      {
        address: "null_resource.keeper",
        mode: "managed",
        type: "null_resource",
        actions: ["no-op"],
        kind: "no-op",
        importing: false,
      },
      {
        address: "null_resource.renamed",
        mode: "managed",
        type: "null_resource",
        actions: ["no-op"],
        kind: "move",
        previousAddress: "null_resource.original",
        importing: false,
      },
      {
        address: "random_string.existing",
        mode: "managed",
        type: "random_string",
        actions: ["no-op"],
        kind: "no-op",
        importing: false,
      },
      {
        address: "random_string.imported",
        mode: "managed",
        type: "random_string",
        actions: ["no-op"],
        kind: "import",
        importing: true,
      },
    ]);
  });

  it("keeps the reason of a tainted replace and the data source mode", () => {
    const tainted = summarisePlan(loadPlan("terraform-1.15.0_replace-tainted.json"));
    expect(tainted.resources[0]).toMatchObject({
      actions: ["delete", "create"],
      kind: "replace",
      reason: "replace_because_tainted",
    });
    const read = summarisePlan(loadPlan("terraform-1.14.6_data-source-read-update-replace.json"));
    expect(read.resources[0]).toMatchObject({
      address: "data.local_command.read_config",
      mode: "data",
      kind: "read",
      reason: "read_because_dependency_pending",
    });
  });
});

const change = (
  actions: string[],
  extra: Partial<ResourceChangeInput> & { importing?: object } = {},
): ResourceChangeInput => {
  const { importing, ...rest } = extra;
  return {
    address: "null_resource.a",
    mode: "managed",
    type: "null_resource",
    change: {
      actions,
      before: null,
      after: null,
      before_sensitive: false,
      after_sensitive: false,
      ...(importing !== undefined && { importing }),
    },
    ...rest,
  };
};

describe("summarisePlan on each kind of change", () => {
  it.each<[string, ResourceChangeInput, ResourceChangeKind, Partial<PlanDeltaCounts>]>([
    ["a create", change(["create"]), "create", { add: 1 }],
    ["an update", change(["update"]), "update", { change: 1 }],
    ["a delete", change(["delete"]), "delete", { destroy: 1 }],
    ["a read", change(["read"]), "read", {}],
    ["a no-op", change(["no-op"]), "no-op", {}],
    ["a forget", change(["forget"]), "forget", { forget: 1 }],
    [
      "a delete-then-create",
      change(["delete", "create"]),
      "replace",
      { add: 1, destroy: 1, replace: 1 },
    ],
    [
      "a create-then-delete",
      change(["create", "delete"]),
      "replace",
      { add: 1, destroy: 1, replace: 1 },
    ],
    // The old object is forgotten, not destroyed (Terraform's CountNewAction does the same).
    [
      "a create-then-forget",
      change(["create", "forget"]),
      "replace",
      { add: 1, forget: 1, replace: 1 },
    ],
    [
      "a forget-then-create",
      change(["forget", "create"]),
      "replace",
      { add: 1, forget: 1, replace: 1 },
    ],
    ["an import", change(["no-op"], { importing: { id: "i-1" } }), "import", { import: 1 }],
    ["an import with no known ID", change(["no-op"], { importing: {} }), "import", { import: 1 }],
    [
      "an import that also updates",
      change(["update"], { importing: { id: "i-1" } }),
      "update",
      { change: 1, import: 1 },
    ],
    ["a move", change(["no-op"], { previous_address: "null_resource.old" }), "move", { move: 1 }],
    [
      "a move that also replaces",
      change(["delete", "create"], { previous_address: "null_resource.old" }),
      "replace",
      { add: 1, destroy: 1, replace: 1, move: 1 },
    ],
    ["an unknown action", change(["open"]), "unknown", {}],
    ["an unknown pair", change(["update", "delete"]), "unknown", {}],
    ["three actions", change(["delete", "create", "forget"]), "unknown", {}],
  ])("counts %s", (_name, resourceChange, kind, counts) => {
    const summary = summarisePlan({ resource_changes: [resourceChange] });
    expect(summary.resources[0]?.kind).toBe(kind);
    expect(summary.counts).toEqual({ ...zero, ...counts });
  });

  it.each<[string, PlanInput, boolean]>([
    ["an empty plan", {}, false],
    ["only no-ops", { resource_changes: [change(["no-op"]), change(["no-op"])] }, false],
    [
      "a no-op whose previous address is its own",
      { resource_changes: [change(["no-op"], { previous_address: "null_resource.a" })] },
      false,
    ],
    ["a read", { resource_changes: [change(["read"])] }, true],
    ["a forget alone", { resource_changes: [change(["forget"])] }, true],
    ["a move alone", { resource_changes: [change(["no-op"], { previous_address: "x.y" })] }, true],
    [
      "an import alone",
      { resource_changes: [change(["no-op"], { importing: { id: "a" } })] },
      true,
    ],
    ["an action this version does not know", { resource_changes: [change(["renew"])] }, true],
    [
      "an output change alone",
      {
        resource_changes: [change(["no-op"])],
        output_changes: { name: { actions: ["create"], after: "x" } },
      },
      true,
    ],
    [
      "a no-op output",
      { output_changes: { name: { actions: ["no-op"], before: 1, after: 1 } } },
      false,
    ],
    [
      "drift alone (refresh-only plans are not supported)",
      { resource_drift: [change(["update"])], resource_changes: [change(["no-op"])] },
      false,
    ],
  ])("hasChanges for %s is %s", (_name, plan, hasChanges) => {
    expect(summarisePlan(plan).hasChanges).toBe(hasChanges);
  });

  it("does not count a no-op whose previous address is its own as a move", () => {
    const summary = summarisePlan({
      resource_changes: [change(["no-op"], { previous_address: "null_resource.a" })],
    });
    expect(summary.resources[0]).not.toHaveProperty("previousAddress");
    expect(summary.counts.move).toBe(0);
  });

  it("keeps deposed objects apart from the current one", () => {
    const summary = summarisePlan({
      resource_changes: [change(["create", "delete"]), change(["delete"], { deposed: "00000001" })],
    });
    expect(summary.resources.map((r) => [r.kind, r.deposed])).toEqual([
      ["replace", undefined],
      ["delete", "00000001"],
    ]);
  });

  it("passes errored through and reports it apart from the changes", () => {
    const summary = summarisePlan({ errored: true, resource_changes: [change(["create"])] });
    expect(summary).toMatchObject({ errored: true, hasChanges: true });
    expect(summarisePlan({}).errored).toBe(false);
  });

  it("sorts outputs by name and flags any sensitive part", () => {
    const summary = summarisePlan({
      output_changes: {
        zeta: { actions: ["delete"], before: "z", before_sensitive: false, after_sensitive: false },
        alpha: {
          actions: ["update"],
          before: { a: 1, b: 2 },
          after: { a: 1, b: 3 },
          before_sensitive: { b: true },
          after_sensitive: {},
        },
        mid: { actions: ["create", "delete"], after: 1 },
      },
    });
    expect(summary.outputs).toEqual([
      { name: "alpha", actions: ["update"], kind: "update", sensitive: true },
      { name: "mid", actions: ["create", "delete"], kind: "unknown", sensitive: false },
      { name: "zeta", actions: ["delete"], kind: "delete", sensitive: false },
    ]);
  });

  it("summarises drift with the same shape", () => {
    const summary = summarisePlan({ resource_drift: [change(["delete"])] });
    expect(summary.drift).toEqual([
      {
        address: "null_resource.a",
        mode: "managed",
        type: "null_resource",
        actions: ["delete"],
        kind: "delete",
        importing: false,
      },
    ]);
    expect(summary.counts).toEqual(zero);
  });
});
