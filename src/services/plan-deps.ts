import type { Logger } from "pino";
import type { GlobMatch } from "../domain/affected-components.js";
import type { ChangesetStore } from "./changeset-port.js";
import type { ComponentStore } from "./component-port.js";
import type { DriftStore } from "./drift-port.js";
import type { PullRequestStore } from "./pull-request-port.js";
import type { RunTransitionStore } from "./run-transition-port.js";
import type { GithubGateway } from "./github-port.js";
import type { JobQueue } from "./queue-port.js";
import type { SourceArchiveFetcher, SourceInspector } from "./source-port.js";
import type { ReportDeps } from "./reporter/index.js";

/** What the pull-request and push flows reach the world through. */
export interface PlanDeps extends ReportDeps {
  pullRequests: PullRequestStore;
  components: ComponentStore;
  changesets: ChangesetStore;
  runTransitions: RunTransitionStore;
  /** Drift schedules, checks and findings (the reporter reads a check's finding from it too). */
  drift: DriftStore;
  github: GithubGateway;
  queue: JobQueue;
  fetchSource: SourceArchiveFetcher;
  inspectSource: SourceInspector;
  match: GlobMatch;
  log: Logger;
  /** Revokes a run's state credentials once the run has ended (managed state). */
  revokeStateCredentials?: (runId: string) => Promise<unknown>;
}
