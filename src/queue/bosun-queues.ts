import type { QueueDefinition } from "./job-queue.js";

/** Bosun's queues, with the policies and expiries its jobs need. */
export function bosunQueues(timing: {
  runTimeoutMs: number;
  reportExpiryMs: number;
  notifications: { timeoutMs: number };
}): QueueDefinition[] {
  return [
    // A delivery's job takes seconds; one a dead worker held is retried after 5 minutes.
    { name: "github-event", expireInSeconds: 300 },
    { name: "github-push", policy: "singleton", expireInSeconds: 300 },
    // One job at a time per component (singletonKey = component id): plans and applies of one
    // component never overlap, on any number of workers.
    {
      name: "run-component",
      policy: "singleton",
      retryLimit: 2,
      // A phase may run for the whole run timeout; lost workers are found by their lease.
      expireInSeconds: Math.ceil(timing.runTimeoutMs / 1000) + 600,
    },
    // Reports collapse: at most one queued and one running per run (singletonKey = run id).
    // A report takes seconds; one a dead worker held is taken back after BOSUN_REPORT_EXPIRY
    // (a minute).
    {
      name: "report-run",
      policy: "stately",
      retryLimit: 10,
      expireInSeconds: Math.ceil(timing.reportExpiryMs / 1000),
    },
    // The drift scheduler's tick, every minute (src/services/drift-tick.ts). At most one queued and
    // one running; a failed tick is not retried, the next minute's is its retry.
    {
      name: "drift-tick",
      policy: "stately",
      retryLimit: 0,
      expireInSeconds: 300,
      schedule: "* * * * *",
    },
    // A run's notifications are recorded after each of its changes, like its report: at most one
    // queued and one running per run (singletonKey = run id).
    {
      name: "notify-run",
      policy: "stately",
      retryLimit: 10,
      expireInSeconds: Math.ceil(timing.reportExpiryMs / 1000),
    },
    // One attempt at one delivery, which schedules its own retries (with backoff, for a day);
    // pg-boss retries only a job whose worker died. An attempt takes the timeout at most.
    {
      name: "notify-delivery",
      retryLimit: 2,
      expireInSeconds: Math.ceil(timing.notifications.timeoutMs / 1000) + 60,
    },
    // Every minute, deliveries left without a job (a redelivery, a worker lost between recording
    // and queueing) are queued; the next minute's sweep is a failed one's retry.
    {
      name: "notify-sweep",
      policy: "stately",
      retryLimit: 0,
      expireInSeconds: 300,
      schedule: "* * * * *",
    },
    // Retention (src/services/collect-garbage.ts): once a day, at a quiet hour (UTC); a failed
    // one is not retried, the next day's is its retry. Deleting a year of logs may take a while.
    {
      name: "collect-garbage",
      policy: "stately",
      retryLimit: 0,
      expireInSeconds: 3600,
      schedule: "17 3 * * *",
    },
  ];
}
