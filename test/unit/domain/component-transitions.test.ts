import { describe, expect, it } from "vitest";
import { COMPONENT_PHASES } from "../../../src/domain/component-phase.js";
import {
  COMPONENT_TRANSITIONS,
  isDiscardable,
  legalTransition,
  TRANSITION_CAUSES,
} from "../../../src/domain/component-transitions.js";
import { TERMINAL_PHASES } from "../../../src/domain/component-phase.js";

const rowName = (row: (typeof COMPONENT_TRANSITIONS)[number]) =>
  `${row.from} → ${row.to} by ${row.cause}${row.afterConfirm ? "" : " (not once confirmed)"}`;

describe("the component transition table", () => {
  describe.each(COMPONENT_TRANSITIONS.map((row) => [rowName(row), row] as const))(
    "%s",
    (_, row) => {
      it("is legal by its cause, and by no other", () => {
        expect(legalTransition({ ...row, runConfirmed: false })).toBe(row);
        for (const cause of TRANSITION_CAUSES.filter((other) => other !== row.cause)) {
          expect(legalTransition({ ...row, cause, runConfirmed: false })).toBeUndefined();
        }
      });
      it(row.afterConfirm ? "is legal in a confirmed run" : "is refused in a confirmed run", () => {
        expect(legalTransition({ ...row, runConfirmed: true })).toBe(
          row.afterConfirm ? row : undefined,
        );
      });
    },
  );

  it("has one row per move", () => {
    const moves = COMPONENT_TRANSITIONS.map((row) => `${row.from}→${row.to}`);
    expect(new Set(moves).size).toBe(moves.length);
  });

  it("refuses every move it does not list", () => {
    for (const from of COMPONENT_PHASES) {
      for (const to of COMPONENT_PHASES) {
        const listed = COMPONENT_TRANSITIONS.some((row) => row.from === from && row.to === to);
        expect(
          legalTransition({ from, to, runConfirmed: false }) !== undefined,
          `${from}→${to}`,
        ).toBe(listed);
      }
    }
  });

  it.each(TERMINAL_PHASES)("never moves a component out of %s (invariant 1)", (from) => {
    for (const to of COMPONENT_PHASES) {
      expect(legalTransition({ from, to, runConfirmed: false })).toBeUndefined();
    }
  });

  it.each(["CONFIRMED", "APPLYING"] as const)(
    "ends %s only in APPLYING, FINISHED or FAILED (invariant 2)",
    (from) => {
      const targets = COMPONENT_PHASES.filter(
        (to) => legalTransition({ from, to, runConfirmed: true }) !== undefined,
      );
      expect(targets.every((to) => ["APPLYING", "FINISHED", "FAILED"].includes(to))).toBe(true);
      expect(targets).toContain("FAILED");
    },
  );

  it("discards only what no approval has reached", () => {
    const discardable = (runConfirmed: boolean) =>
      COMPONENT_PHASES.filter((phase) => isDiscardable(phase, runConfirmed));
    expect(discardable(false)).toEqual(["QUEUED", "DEFERRED", "UNCONFIRMED"]);
    // A confirmed run's queued and deferred components are its later waves.
    expect(discardable(true)).toEqual(["UNCONFIRMED"]);
  });
});
