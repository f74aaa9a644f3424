import { describe, expect, it } from "vitest";
import { type DriftCheckComponent, driftOutcome } from "../../../src/domain/drift-outcome.js";

const counts = (change: number) => ({
  add: 0,
  change,
  destroy: 0,
  replace: 0,
  import: 0,
  move: 0,
  forget: 0,
});

const planned = (stack: string, changed: string[]): DriftCheckComponent => ({
  stack,
  phase: "FINISHED",
  plan: {
    summary: {
      hasChanges: changed.length > 0,
      counts: counts(changed.length),
      resources: [
        { address: "null_resource.kept", kind: "no-op" },
        ...changed.map((address) => ({ address, kind: "update" })),
      ],
    },
  },
});

describe("driftOutcome", () => {
  it("is clean when every plan finished without changes", () => {
    expect(driftOutcome([planned("network", []), planned("app", [])])).toEqual({ kind: "clean" });
  });

  it("names each drifted stack, in name order, with what its plan would change", () => {
    expect(
      driftOutcome([
        planned("network", ["null_resource.vpc"]),
        planned("app", ["null_resource.app"]),
        planned("dns", []),
      ]),
    ).toEqual({
      kind: "drifted",
      stacks: [
        { stack: "app", counts: counts(1), addresses: ["null_resource.app"] },
        { stack: "network", counts: counts(1), addresses: ["null_resource.vpc"] },
      ],
    });
  });

  it("finds drift even when another plan failed", () => {
    const outcome = driftOutcome([
      planned("network", ["null_resource.vpc"]),
      { stack: "app", phase: "FAILED", plan: undefined },
    ]);
    expect(outcome.kind).toBe("drifted");
  });

  it("knows nothing when a plan failed or was blocked and none found drift", () => {
    expect(
      driftOutcome([
        planned("network", []),
        { stack: "app", phase: "FAILED", plan: undefined },
        { stack: "dns", phase: "BLOCKED", plan: undefined },
      ]),
    ).toEqual({ kind: "inconclusive", stacks: ["app", "dns"] });
  });
});
