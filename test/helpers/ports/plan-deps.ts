import pino from "pino";
import { createGlobMatcher } from "../../../src/config/glob-matcher.js";
import type { PlanDeps } from "../../../src/services/plan-deps.js";
import { InMemoryChangesetStore } from "./changeset-store.js";
import { InMemoryComponentStore } from "./component-store.js";
import { InMemoryDriftStore } from "./drift-store.js";
import { githubGateway, InMemoryGithubRepo } from "./github-repo.js";
import { RecordingJobQueue } from "./job-queue.js";
import { InMemoryPullRequestStore } from "./pull-request-store.js";
import { InMemoryRunReportStore } from "./run-report-store.js";
import { InMemoryRunTransitionStore } from "./run-transition-store.js";
import { InMemoryRunViewStore } from "./run-view-store.js";
import { InMemorySource } from "./source.js";

export const PUBLIC_URL = "https://bosun.example.test";

/** Every fake behind one PlanDeps, each kept by name so a test declares and reads back through it. */
export interface FakePorts {
  deps: PlanDeps;
  github: InMemoryGithubRepo;
  pullRequests: InMemoryPullRequestStore;
  components: InMemoryComponentStore;
  changesets: InMemoryChangesetStore;
  runViews: InMemoryRunViewStore;
  runTransitions: InMemoryRunTransitionStore;
  runReports: InMemoryRunReportStore;
  drift: InMemoryDriftStore;
  queue: RecordingJobQueue;
  source: InMemorySource;
  /** Runs whose state credentials were revoked. */
  revokedRuns: string[];
}

/**
 * The pull-request and push use cases' world, in memory: one repository on GitHub, the store's
 * ports, the queue and the source. The glob matcher is the real one (pure, and part of which
 * stacks a change affects); the log is silent.
 */
export function fakePorts(repositoryFullName = "octo/infra"): FakePorts {
  const github = new InMemoryGithubRepo(repositoryFullName);
  const pullRequests = new InMemoryPullRequestStore();
  const components = new InMemoryComponentStore();
  const changesets = new InMemoryChangesetStore();
  const runViews = new InMemoryRunViewStore();
  const runTransitions = new InMemoryRunTransitionStore(runViews, components);
  const runReports = new InMemoryRunReportStore(runViews);
  const drift = new InMemoryDriftStore();
  const queue = new RecordingJobQueue();
  const source = new InMemorySource();
  const revokedRuns: string[] = [];
  const deps: PlanDeps = {
    pullRequests,
    components,
    changesets,
    runViews,
    runTransitions,
    runReports,
    drift,
    github: githubGateway(github),
    queue,
    fetchSource: source.fetchSource,
    inspectSource: source.inspectSource,
    match: createGlobMatcher(),
    log: pino({ level: "silent" }),
    publicUrl: PUBLIC_URL,
    runLink: (runId) => `${PUBLIC_URL}/runs/${runId}?sig=test`,
    revokeStateCredentials: async (runId) => {
      revokedRuns.push(runId);
    },
  };
  return {
    deps,
    github,
    pullRequests,
    components,
    changesets,
    runViews,
    runTransitions,
    runReports,
    drift,
    queue,
    source,
    revokedRuns,
  };
}
