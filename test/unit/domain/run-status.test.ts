import { describe, expect, it } from "vitest";
import type { ComponentPhase } from "../../../src/domain/component-phase.js";
import { deriveRunStatus } from "../../../src/domain/run-status.js";

const c = (phase: ComponentPhase, applied = false) => ({ phase, applied });

describe("deriveRunStatus", () => {
  it.each([
    [[c("QUEUED"), c("PLANNING")], "PLANNING"],
    [[c("UNCONFIRMED"), c("PLANNING")], "PLANNING"],
    [[c("UNCONFIRMED"), c("FINISHED")], "PLANNED"],
    [[c("CONFIRMED"), c("FINISHED", true)], "APPLYING"],
    [[c("APPLYING"), c("FAILED")], "APPLYING"],
    [[c("FINISHED", true), c("FINISHED")], "SUCCEEDED"],
    [[c("FINISHED")], "SUCCEEDED"],
    [[c("FINISHED", true), c("FAILED"), c("BLOCKED")], "PARTIALLY_FAILED"],
    [[c("FAILED"), c("BLOCKED")], "FAILED"],
    [[c("FAILED"), c("UNCONFIRMED")], "FAILED"],
    [[c("DISCARDED"), c("DISCARDED")], "DISCARDED"],
    [[c("DISCARDED"), c("FINISHED")], "DISCARDED"],
    [[c("FINISHED", true), c("DEFERRED")], "APPLYING"],
  ] as const)("%o → %s", (components, status) => {
    expect(deriveRunStatus(components)).toBe(status);
  });
});
