import { describe, expect, it } from "vitest";
import {
  deriveRunNotifications,
  NOTIFICATION_EVENT_TYPES,
  type RunEventRecord,
} from "../../../src/domain/notification-events.js";

const at = new Date("2026-01-01T00:00:00Z");
/** Component moves as `component: FROM>TO` (FROM `-` for a component's first event). */
const log = (...moves: string[]): RunEventRecord[] =>
  moves.map((move, index) => {
    const [component, states] = move.split(": ") as [string, string];
    const [from, to] = states.split(">") as [string, string];
    return {
      sequence: index + 1,
      runComponentId: component,
      fromState: from === "-" ? null : from,
      toState: to,
      actor: "octocat",
      at,
    };
  });

const PLANNED = [
  "a: ->QUEUED",
  "a: QUEUED>PREPARING",
  "a: PREPARING>INITIALIZING",
  "a: INITIALIZING>PLANNING",
  "a: PLANNING>UNCONFIRMED",
];

describe("deriveRunNotifications", () => {
  it.each([
    ["a plan waiting for approval", PLANNED, ["run.created", "run.planned", "run.unconfirmed"]],
    [
      "a plan confirmed and applied",
      [...PLANNED, "a: UNCONFIRMED>CONFIRMED", "a: CONFIRMED>APPLYING", "a: APPLYING>FINISHED"],
      [
        "run.created",
        "run.planned",
        "run.unconfirmed",
        "run.confirmed",
        "run.applying",
        "run.finished",
      ],
    ],
    [
      "a plan without changes",
      [
        "a: ->QUEUED",
        "a: QUEUED>PREPARING",
        "a: PREPARING>INITIALIZING",
        "a: INITIALIZING>PLANNING",
        "a: PLANNING>FINISHED",
      ],
      ["run.created", "run.planned", "run.finished"],
    ],
    [
      "a failed plan",
      ["a: ->QUEUED", "a: QUEUED>PREPARING", "a: PREPARING>FAILED"],
      ["run.created", "run.failed"],
    ],
    [
      "a discarded plan",
      [...PLANNED, "a: UNCONFIRMED>DISCARDED"],
      ["run.created", "run.planned", "run.unconfirmed", "run.discarded"],
    ],
    [
      // The first wave applied, the second failed: said once the run is at rest.
      "a partial failure",
      [
        "a: ->QUEUED",
        "b: ->DEFERRED",
        "a: QUEUED>PREPARING",
        "a: PREPARING>INITIALIZING",
        "a: INITIALIZING>PLANNING",
        "a: PLANNING>UNCONFIRMED",
        "a: UNCONFIRMED>CONFIRMED",
        "a: CONFIRMED>APPLYING",
        "a: APPLYING>FINISHED",
        "b: DEFERRED>QUEUED",
        "b: QUEUED>PREPARING",
        "b: PREPARING>FAILED",
      ],
      [
        "run.created",
        "run.planned",
        "run.unconfirmed",
        "run.confirmed",
        "run.applying",
        "run.failed",
      ],
    ],
  ])("%s", (_name, moves, expected) => {
    const events = deriveRunNotifications({
      kind: "proposed",
      events: log(...moves),
      drifted: false,
    });
    expect(events.map((event) => event.type)).toEqual(expected);
  });

  it("pins each event to the run event that brought it about, with the status just after", () => {
    const events = deriveRunNotifications({
      kind: "proposed",
      events: log(...PLANNED),
      drifted: false,
    });
    expect(events.map((event) => [event.type, event.sequence, event.status])).toEqual([
      ["run.created", 1, "PLANNING"],
      ["run.planned", 5, "PLANNED"],
      ["run.unconfirmed", 5, "PLANNED"],
    ]);
  });

  it("is stable as the log grows: a replay only adds at the end", () => {
    const short = deriveRunNotifications({
      kind: "tracked",
      events: log(...PLANNED),
      drifted: false,
    });
    const long = deriveRunNotifications({
      kind: "tracked",
      events: log(...PLANNED, "a: UNCONFIRMED>CONFIRMED"),
      drifted: false,
    });
    expect(long.slice(0, short.length)).toEqual(short);
  });

  it("says only drift.detected of a drift check that found drift, and nothing of a clean one", () => {
    const moves = [
      "a: ->QUEUED",
      "a: QUEUED>PREPARING",
      "a: PREPARING>INITIALIZING",
      "a: INITIALIZING>PLANNING",
      "a: PLANNING>FINISHED",
    ];
    expect(
      deriveRunNotifications({ kind: "drift", events: log(...moves), drifted: true }).map(
        (e) => e.type,
      ),
    ).toEqual(["drift.detected"]);
    expect(
      deriveRunNotifications({ kind: "drift", events: log(...moves), drifted: false }),
    ).toEqual([]);
  });

  it.each([
    [
      "a plan applied",
      [...PLANNED, "a: UNCONFIRMED>CONFIRMED", "a: CONFIRMED>APPLYING", "a: APPLYING>FINISHED"],
      "proposed",
    ],
    [
      "a plan that found nothing",
      ["a: ->QUEUED", "a: QUEUED>PLANNING", "a: PLANNING>FINISHED"],
      "tracked",
    ],
    ["a failed drift check", ["a: ->QUEUED", "a: QUEUED>PLANNING", "a: PLANNING>FAILED"], "drift"],
  ] as const)(
    "derives %s in the order the outbox sends: by run event, then by the list of event types",
    (_, moves, kind) => {
      const events = deriveRunNotifications({ kind, events: log(...moves), drifted: true });
      const keys = events.map((event) => [
        event.sequence,
        NOTIFICATION_EVENT_TYPES.indexOf(event.type),
      ]);
      const sorted = [...keys].sort(([a, x], [b, y]) => a! - b! || x! - y!);
      expect(keys).toEqual(sorted);
      expect(events.length).toBeGreaterThan(0);
    },
  );
});
