import type { Logger } from "pino";
import type { ApiTokenStore } from "../../services/api-token-port.js";
import type { RunActionOutcome } from "../../services/run-action-outcome.js";
import type { RunPageStore } from "../../services/run-page-port.js";
import type {
  TriggerActor,
  TriggerOutcome,
  TriggerStackRunInput,
} from "../../services/trigger-stack-run.js";
import type { RunPageAccess } from "./access.js";
import type { Session, SessionKeys } from "./session.js";

/** Queues a new run repeating `runId` (docs/design.md invariant 1), or says why not. */
export type RerunRun = (input: {
  runId: string;
  actor: string;
}) => Promise<{ kind: "queued"; runIds: string[] } | { kind: "refused"; reason: string }>;

/** What a writer (or a `trigger` token) does to runs through the HTTP API. */
export interface RunActions {
  trigger(input: TriggerStackRunInput): Promise<TriggerOutcome>;
  confirm(input: { runId: string; actor: TriggerActor }): Promise<RunActionOutcome>;
  discard(input: { runId: string; actor: TriggerActor }): Promise<RunActionOutcome>;
}

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
  /** Undefined without the GitHub App: nothing can be started or confirmed then. */
  actions: RunActions | undefined;
  /** The API tokens bearer requests to /api/* are checked against. */
  tokens: ApiTokenStore;
  /** Where run pages are, for the links the API answers with. */
  publicUrl: string;
  log: Logger;
  now?: () => number;
}

/** What the run pages' middleware leaves on each request for the routes. */
export type RunPageEnv = { Variables: { session: Session; nonce: string } };
