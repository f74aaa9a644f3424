import { describe, expect, it } from "vitest";
import {
  currentWave,
  deferredNote,
  placeInWaves,
  type WaveMember,
} from "../../../src/domain/dependency-waves.js";

const member = (
  stack: string,
  upstreams: string[] = [],
  change: WaveMember["change"] = "update",
): WaveMember => ({ stack, upstreams, change });

const placed = (members: WaveMember[]) =>
  Object.fromEntries([...placeInWaves(members)].map(([stack, p]) => [stack, p]));

describe("placeInWaves", () => {
  it.each<[string, WaveMember[], Record<string, { wave: number; waitsFor: string[] }>]>([
    [
      "a two-level graph",
      [member("network"), member("app", ["network"])],
      { network: { wave: 0, waitsFor: [] }, app: { wave: 1, waitsFor: ["network"] } },
    ],
    [
      "a three-level chain, declared downstream first",
      [member("web", ["app"]), member("app", ["network"]), member("network")],
      {
        network: { wave: 0, waitsFor: [] },
        app: { wave: 1, waitsFor: ["network"] },
        web: { wave: 2, waitsFor: ["app"] },
      },
    ],
    [
      "a diamond: the top waits for both sides, which share a wave",
      [
        member("network"),
        member("db", ["network"]),
        member("cache", ["network"]),
        member("app", ["db", "cache"]),
      ],
      {
        network: { wave: 0, waitsFor: [] },
        db: { wave: 1, waitsFor: ["network"] },
        cache: { wave: 1, waitsFor: ["network"] },
        app: { wave: 2, waitsFor: ["cache", "db"] },
      },
    ],
    [
      "an upstream outside the changeset: planned at once, with its deployed outputs",
      [member("app", ["network"])],
      { app: { wave: 0, waitsFor: [] } },
    ],
    [
      "the longest path decides the wave",
      [member("a"), member("b", ["a"]), member("c", ["a", "b"])],
      {
        a: { wave: 0, waitsFor: [] },
        b: { wave: 1, waitsFor: ["a"] },
        c: { wave: 2, waitsFor: ["a", "b"] },
      },
    ],
    [
      "destroys the other way round: the downstream goes first",
      [member("network", [], "destroy"), member("app", ["network"], "destroy")],
      { app: { wave: 0, waitsFor: [] }, network: { wave: 1, waitsFor: ["app"] } },
    ],
    [
      "an orphan: nothing waits for it",
      [member("network", [], "orphan"), member("app", ["network"])],
      { network: { wave: 0, waitsFor: [] }, app: { wave: 0, waitsFor: [] } },
    ],
    [
      "a cycle that got through is cut, not looped",
      [member("a", ["b"]), member("b", ["a"])],
      { a: { wave: 1, waitsFor: ["b"] }, b: { wave: 0, waitsFor: [] } },
    ],
  ])("%s", (_case, members, expected) => {
    expect(placed(members)).toEqual(expected);
  });
});

describe("currentWave", () => {
  it("is the first wave with a component not yet terminal, the last once all are", () => {
    expect(
      currentWave([
        { wave: 0, phase: "FINISHED" },
        { wave: 1, phase: "PLANNING" },
        { wave: 2, phase: "DEFERRED" },
      ]),
    ).toBe(1);
    expect(
      currentWave([
        { wave: 0, phase: "FINISHED" },
        { wave: 1, phase: "BLOCKED" },
      ]),
    ).toBe(1);
    expect(currentWave([])).toBe(0);
  });
});

describe("deferredNote", () => {
  it("says what a component waits for", () => {
    expect(deferredNote(["db", "network"], "dev", false)).toBe(
      "waits for the outputs of db@dev, network@dev",
    );
    expect(deferredNote(["app"], "prod", true)).toBe("waits for app@prod to be destroyed first");
  });
});
