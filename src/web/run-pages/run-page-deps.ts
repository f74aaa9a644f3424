import type { Logger } from "pino";
import type { RunPageStore } from "../../services/run-page-port.js";
import type { TriggerOutcome, TriggerStackRunInput } from "../../services/trigger-stack-run.js";
import type { RunPageAccess } from "./access.js";
import type { Session, SessionKeys } from "./session.js";

/** Queues a new run repeating `runId` (docs/design.md invariant 1), or says why not. */
export type RerunRun = (input: {
  runId: string;
  actor: string;
}) => Promise<{ kind: "queued"; runIds: string[] } | { kind: "refused"; reason: string }>;

/** Starts a run of one stack in one environment (src/services/trigger-stack-run.ts), or says why not. */
export type TriggerRun = (input: TriggerStackRunInput) => Promise<TriggerOutcome>;

export interface RunPageDeps {
  store: RunPageStore;
  access: RunPageAccess;
  keys: SessionKeys;
  /** GitHub's web address, for links to commits and pull requests. */
  githubWebUrl: string;
  /** Whether GitHub sign-in is configured (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET). */
  signIn: boolean;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
  rerun: RerunRun | undefined;
  /** The stack page's Trigger menu; undefined without the GitHub App, like `rerun`. */
  trigger: TriggerRun | undefined;
  log: Logger;
  now?: () => number;
}

/** What the run pages' middleware leaves on each request for the routes. */
export type RunPageEnv = { Variables: { session: Session; nonce: string } };
