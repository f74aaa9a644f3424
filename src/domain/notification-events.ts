import { type ComponentPhase, isTerminal, PLANNING_PHASES } from "./component-phase.js";
import type { RunKind } from "./run-kind.js";
import { deriveRunStatus, type RunStatus } from "./run-status.js";

/**
 * The events a notification target can be told of (docs/design.md "Notifications"), in the order
 * events that come of the same run event are derived and sent (src/store/notification-repository.ts).
 */
export const NOTIFICATION_EVENT_TYPES = [
  "run.created",
  "run.planned",
  "run.unconfirmed",
  "run.confirmed",
  "run.applying",
  "run.finished",
  "run.failed",
  "run.discarded",
  "drift.detected",
] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/** One appended component event of a run (src/store/schema/run-events.ts), in sequence order. */
export interface RunEventRecord {
  sequence: number;
  runComponentId: string | null;
  fromState: string | null;
  toState: string;
  actor: string;
  at: Date;
}

/** A run-level event, pinned to the component event that brought it about. */
export interface RunNotificationEvent {
  type: NotificationEventType;
  /** The sequence number of the run event after which the run was in this state. */
  sequence: number;
  /** The run's status just after that event. */
  status: RunStatus;
  actor: string;
  at: Date;
}

const ACTIVE: readonly ComponentPhase[] = [...PLANNING_PHASES, "CONFIRMED", "APPLYING"];

const asPhase = (state: string): ComponentPhase => state as ComponentPhase;

/**
 * The run-level events of a run, replayed from its component events (invariant 9): the run's
 * status is derived after each appended event, as src/domain/run-status.ts derives it, and each
 * event type is said once, at the first component event that brings it about. The log is
 * append-only, so a later replay yields the same list with new events only at its end: whoever
 * records them may replay as often as it likes and keep what it has not recorded yet.
 *
 * A drift check (kind `drift`) is a scheduled plan of what is deployed: it says only
 * `drift.detected` (when `drifted`, once it is over) and `run.failed`, so a check that finds
 * nothing tells no one.
 */
export function deriveRunNotifications(input: {
  kind: RunKind;
  events: readonly RunEventRecord[];
  /** A drift check found drift (src/domain/drift-outcome.ts); ignored for other kinds. */
  drifted: boolean;
}): RunNotificationEvent[] {
  const phases = new Map<string, ComponentPhase>();
  const applied = new Set<string>();
  const said = new Set<NotificationEventType>();
  const out: RunNotificationEvent[] = [];
  for (const event of input.events) {
    if (event.runComponentId === null) continue;
    const to = asPhase(event.toState);
    if (event.fromState === "APPLYING" && to === "FINISHED") applied.add(event.runComponentId);
    phases.set(event.runComponentId, to);
    const components = [...phases.entries()].map(([id, phase]) => ({
      phase,
      applied: applied.has(id),
    }));
    const status = deriveRunStatus(components);
    const atRest = components.every((component) => !ACTIVE.includes(component.phase));
    const allTerminal = components.every((component) => isTerminal(component.phase));
    const say = (type: NotificationEventType, when: boolean) => {
      if (!when || said.has(type)) return;
      said.add(type);
      out.push({ type, sequence: event.sequence, status, actor: event.actor, at: event.at });
    };
    const failed = status === "FAILED" || status === "PARTIALLY_FAILED";
    if (input.kind === "drift") {
      say("run.failed", failed && atRest);
      say("drift.detected", input.drifted && allTerminal);
      continue;
    }
    say("run.created", true);
    // A component's first event places it (QUEUED or DEFERRED) as the run is opened; the run's
    // status means something once every component is placed, which a move implies.
    if (event.fromState === null) continue;
    say("run.planned", status === "PLANNED" || status === "APPLYING" || status === "SUCCEEDED");
    say(
      "run.unconfirmed",
      status === "PLANNED" && components.some((component) => component.phase === "UNCONFIRMED"),
    );
    say("run.confirmed", to === "CONFIRMED");
    say("run.applying", to === "APPLYING");
    say("run.finished", status === "SUCCEEDED" && allTerminal);
    say("run.failed", failed && atRest);
    say("run.discarded", status === "DISCARDED" && allTerminal);
  }
  return out;
}
