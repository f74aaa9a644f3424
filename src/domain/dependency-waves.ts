import type { ComponentPhase } from "./component-phase.js";
import { isTerminal } from "./component-phase.js";
import type { ComponentChangeKind } from "./affected-components.js";

/**
 * The dependency waves of one changeset (docs/design.md "Lifecycle"): a component whose upstream
 * changes in the same changeset waits DEFERRED for that upstream's fresh outputs; one whose
 * upstreams are all outside it plans at once, with their deployed outputs. Pure.
 */

export interface WaveMember {
  stack: string;
  change: ComponentChangeKind;
  /** The stacks of its `depends_on`, in or out of the changeset. */
  upstreams: readonly string[];
}

export interface WavePlacement {
  /** 0: plans at once; n: after the upstreams it waits for, the deepest of which is in wave n - 1. */
  wave: number;
  /** The stacks in the changeset it waits for, sorted; empty in wave 0. */
  waitsFor: string[];
}

/**
 * Places every member in its wave. A component waits for its upstreams that change in the
 * changeset; destroys go the other way round (a downstream is torn down before what it reads
 * from); an orphan applies nothing, so nothing waits for it nor it for anything. The graph is
 * acyclic (bosun.yml's validation refuses cycles); a cycle that got through anyway is cut where it
 * closes rather than looping.
 */
export function placeInWaves(members: readonly WaveMember[]): Map<string, WavePlacement> {
  const byStack = new Map(members.map((member) => [member.stack, member]));
  const waits = new Map<string, Set<string>>(members.map((member) => [member.stack, new Set()]));
  for (const member of members) {
    for (const upstreamName of member.upstreams) {
      const upstream = byStack.get(upstreamName);
      if (!upstream || upstream === member || member.change === "orphan") continue;
      if (upstream.change === "orphan") continue;
      if (member.change === "destroy" && upstream.change === "destroy") {
        waits.get(upstream.stack)!.add(member.stack);
      } else {
        waits.get(member.stack)!.add(upstream.stack);
      }
    }
  }
  const placed = new Map<string, WavePlacement>();
  const visiting = new Set<string>();
  const place = (stack: string): WavePlacement => {
    const known = placed.get(stack);
    if (known) return known;
    visiting.add(stack);
    const waitsFor = [...waits.get(stack)!].filter((other) => !visiting.has(other)).sort();
    const wave = waitsFor.reduce((deepest, other) => Math.max(deepest, place(other).wave + 1), 0);
    visiting.delete(stack);
    const placement = { wave, waitsFor };
    placed.set(stack, placement);
    return placement;
  };
  for (const member of members) place(member.stack);
  return placed;
}

/** What a DEFERRED component shows while it waits (stored as its note, read by the run page). */
export function deferredNote(
  waitsFor: readonly string[],
  environment: string,
  destroy: boolean,
): string {
  const names = waitsFor.map((stack) => `${stack}@${environment}`).join(", ");
  return destroy ? `waits for ${names} to be destroyed first` : `waits for the outputs of ${names}`;
}

/**
 * Why a later wave's component is refused (docs/design.md invariant 4): its deployed head moved after
 * the changeset was based on it. Nothing is re-planned on its own.
 */
export function staleWaveReason(component: string): string {
  return `stale: another run applied ${component} after this changeset was based on its deployed head; nothing of it was applied; comment /plan to re-plan`;
}

/** The wave a run is in: the first with a component not yet terminal (the last once all are). */
export function currentWave(
  components: readonly { wave: number; phase: ComponentPhase }[],
): number {
  const open = components.filter((component) => !isTerminal(component.phase));
  const waves = (open.length > 0 ? open : components).map((component) => component.wave);
  return open.length > 0 ? Math.min(...waves) : Math.max(0, ...waves);
}
