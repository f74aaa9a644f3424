import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { type AppConfig, loadConfig } from "./config/load-config.js";
import { ownCredentials } from "./config/own-credentials.js";
import { createCredentialRegistry } from "./lib/credential-registry.js";
import { createMasker } from "./lib/redact.js";
import { recordInstallationTokens } from "./github/record-installation-tokens.js";
import { createInstallationHandler } from "./github/handlers/installation.js";
import { guardWebhookRequests } from "./github/guard-webhook-requests.js";
import { createIntakeMiddleware } from "./github/intake-app.js";
import { createDeliveryAcceptor } from "./services/accept-delivery.js";
import { createDeliveryProcessor } from "./github/process-delivery.js";
import { createProbot } from "./github/create-probot.js";
import { createSourceArchiveFetcher } from "./github/fetch-source-archive.js";
import { createGlobMatcher } from "./config/glob-matcher.js";
import { createGithubGateway } from "./github/create-github-gateway.js";
import { createCheckRunHandler } from "./github/handlers/check-run.js";
import { createIssueCommentHandler } from "./github/handlers/issue-comment.js";
import { createPullRequestReviewHandler } from "./github/handlers/pull-request-review.js";
import { createPullRequestHandler } from "./github/handlers/pull-request.js";
import { createPushHandler } from "./github/handlers/push.js";
import { cacheSourceArchives } from "./runner/cached-source-archive.js";
import type { PlanDeps } from "./services/plan-deps.js";
import { reportRun, requestReport } from "./services/report-run.js";
import { advanceRun } from "./services/advance-run.js";
import { createChangesetRepository } from "./store/changeset-repository.js";
import { createComponentRepository } from "./store/component-repository.js";
import { createPullRequestRepository } from "./store/pull-request-repository.js";
import { createRunReportRepository } from "./store/run-report-repository.js";
import { createRunTransitionRepository } from "./store/run-transition-repository.js";
import { createRunViewRepository } from "./store/run-view-repository.js";
import { createLogger } from "./lib/logger.js";
import { createRunLinker } from "./lib/signed-link.js";
import { createEngine } from "./runner/engine.js";
import { executeRunComponent, type RunComponentJob } from "./services/execute-run-component.js";
import { createRunRepository } from "./store/run-repository.js";
import { createLeaseRepository } from "./store/lease-repository.js";
import { startRecoveryLoop } from "./services/recover-lost-components.js";
import { createSecretRepository } from "./store/secret-repository.js";
import { startJobQueue } from "./queue/job-queue.js";
import type { JobQueue } from "./services/queue-port.js";
import { requeueOrphanedDeliveries } from "./services/requeue-orphaned-deliveries.js";
import { openDatabase, type Database } from "./store/database.js";
import { createDeliveryRepository } from "./store/delivery-repository.js";
import { createInstallationRepository } from "./store/installation-repository.js";
import { createStateCredentialRepository } from "./store/state-credential-repository.js";
import { createStateRepository } from "./store/state-repository.js";
import { createManagedState } from "./state/create-managed-state.js";
import { createStateBackendLender } from "./state/lend-state-backend.js";
import { stateRoutes } from "./state/state-routes.js";
import { healthRoutes } from "./web/health-routes.js";
import {
  createHttpServer,
  listen,
  MAX_WEBHOOK_BYTES,
  type WebhookListener,
} from "./web/http-server.js";
import { setupRoutes } from "./web/setup-routes.js";
import { createRunPageAccess } from "./web/run-pages/access.js";
import { runPageRoutes, type RerunRun } from "./web/run-pages/run-page-routes.js";
import { rerunRun } from "./services/rerun-run.js";
import { sessionKeys } from "./web/run-pages/session.js";
import { signInRoutes } from "./web/run-pages/sign-in-routes.js";
import { maskRunPageStore } from "./web/run-pages/mask-run-page-store.js";
import { createGithubUserAuth } from "./github/github-user-auth.js";
import { createRunPageRepository } from "./store/run-page-repository.js";
import type { GithubGateway } from "./services/github-port.js";
import { startWorkers } from "./worker/start-workers.js";
import { startSandbox } from "./worker/start-sandbox.js";
import { stateCredentialLifetime } from "./domain/state-credential-lifetime.js";
import { componentRunner } from "./runner/component-runner.js";
import { inspectSource } from "./runner/inspect-source.js";

export type Mode = "all" | "web" | "worker";

export interface RunningBosun {
  config: AppConfig;
  database: Database;
  queue: JobQueue;
  /** The port the HTTP server listens on; undefined for a worker-only process. */
  port: number | undefined;
  log: Logger;
  /** Graceful shutdown: stop taking requests and jobs, finish those in hand, close the database. */
  stop(): Promise<void>;
}

/** Composition root: builds the adapters and wires them. No logic lives here. */
export async function startBosun(options: {
  mode: Mode;
  env: NodeJS.ProcessEnv;
  log?: Logger;
  /** Replaces PORT: tests pass 0 for a free port. */
  port?: number;
  /** Probot Octokit class override: tests turn off retries and throttling. */
  octokit?: Parameters<typeof createProbot>[2];
}): Promise<RunningBosun> {
  const config = await loadConfig(options.env);
  const log = options.log ?? createLogger(config.logLevel);
  if (config.encryptionKeyNotice) log.warn(config.encryptionKeyNotice);
  const workspaceRoot = path.join(config.dataDir, "workspaces");
  // Decided before anything starts: a worker refused its sandbox leaves nothing half-open.
  const engineSandbox =
    options.mode !== "web" && config.github && config.workers > 0
      ? await startSandbox({
          ...config.sandbox,
          production: config.production,
          workspaceRoot,
          hostPath: options.env.PATH,
          log,
        })
      : undefined;

  const database = await openDatabase(config.database);
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  log.info({ database: config.database.kind }, "database migrated");

  const queue = await startJobQueue(
    database,
    [
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
        expireInSeconds: Math.ceil(config.runTimeoutMs / 1000) + 600,
      },
      // Reports collapse: at most one queued and one running per run (singletonKey = run id).
      // A report takes seconds; one a dead worker held is taken back after BOSUN_REPORT_EXPIRY
      // (a minute).
      {
        name: "report-run",
        policy: "stately",
        retryLimit: 10,
        expireInSeconds: Math.ceil(config.reportExpiryMs / 1000),
      },
    ],
    log,
  );
  const deliveries = createDeliveryRepository(database.db);
  const stateDeps = {
    store: createStateRepository(database.db),
    credentials: createStateCredentialRepository(database.db),
    key: config.encryptionKey,
    credentialLifetimeMs: stateCredentialLifetime(config.runTimeoutMs).lifetimeMs,
    log,
  };
  const managedState = createManagedState(stateDeps);
  const installations = createInstallationRepository(database.db);

  let accepting = true;
  let recovery: { stop(): Promise<void> } | undefined;
  const workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let webhooks: WebhookListener = async (_req, res) => {
    res
      .writeHead(503, { "content-type": "application/json" })
      .end(JSON.stringify({ error: "GitHub App credentials are not configured; see the README" }));
    return true;
  };

  // Masked in everything a run prints, with the installation tokens obtained while Bosun runs.
  const credentials = createCredentialRegistry(ownCredentials(config));
  // The last pass over what leaves Bosun (GitHub requests, run pages), with the values known now.
  const maskLines = (lines: readonly string[]) =>
    createMasker(credentials.values()).maskLogLines(lines);
  let github: GithubGateway | undefined;
  let rerun: RerunRun | undefined;
  const runPages = createRunPageRepository(database.db);
  if (config.github) {
    const probot = createProbot(config.github, log, options.octokit, maskLines);
    recordInstallationTokens(probot, (token, expiresAt) => credentials.add(token, expiresAt));
    github = createGithubGateway(probot, {});
    const intake = createIntakeMiddleware({
      secret: config.github.webhookSecret,
      path: config.webhookPath,
      accept: createDeliveryAcceptor({ deliveries, queue, inTransaction: database.transaction }),
      log,
    });
    webhooks = guardWebhookRequests(
      {
        maxBytes: MAX_WEBHOOK_BYTES,
        verify: (payload, signature) => probot.webhooks.verify(payload, signature),
        log,
      },
      async (req, res) => (await intake(req, res)) === true,
    );

    const fetchSource = cacheSourceArchives(
      path.join(config.dataDir, "archives"),
      createSourceArchiveFetcher(probot),
    );
    const flow: PlanDeps = {
      pullRequests: createPullRequestRepository(database.db),
      components: createComponentRepository(database.db),
      changesets: createChangesetRepository(database.db),
      runViews: createRunViewRepository(database.db),
      runTransitions: createRunTransitionRepository(database.db),
      runReports: createRunReportRepository(database.db),
      github,
      queue,
      fetchSource,
      inspectSource,
      match: createGlobMatcher(),
      publicUrl: config.publicUrl,
      runLink: createRunLinker(config),
      log,
      revokeStateCredentials: (runId: string) => managedState.revokeStateCredentials(runId),
    };
    rerun = (input) => rerunRun({ ...flow, pages: runPages }, input);

    if (options.mode !== "web") {
      const runs = createRunRepository(database.db);
      const leases = createLeaseRepository(database.db);
      const processDelivery = createDeliveryProcessor({
        probot,
        deliveries,
        log,
        handlers: {
          installation: createInstallationHandler(installations, "installation"),
          installation_repositories: createInstallationHandler(
            installations,
            "installation_repositories",
          ),
          pull_request: createPullRequestHandler(flow),
          issue_comment: createIssueCommentHandler(flow),
          pull_request_review: createPullRequestReviewHandler(flow),
          check_run: createCheckRunHandler(flow),
          push: createPushHandler(flow),
        },
      });
      await requeueOrphanedDeliveries({ deliveries, queue, log });
      const engines = {
        opentofu: createEngine("opentofu", config.engines.opentofu, engineSandbox?.sandbox),
        terraform: createEngine("terraform", config.engines.terraform, engineSandbox?.sandbox),
      };
      const executor = {
        runner: componentRunner,
        runs,
        leases,
        workerId,
        leaseMs: config.workerLeaseMs,
        secrets: createSecretRepository(database.db, config.encryptionKey),
        fetchSource,
        engines,
        encryptionKey: config.encryptionKey,
        workspaceRoot,
        timeoutMs: config.runTimeoutMs,
        hostEnv: process.env,
        ownCredentials: () => credentials.values(),
        stateBackend: createStateBackendLender({ managedState, stateUrl: config.publicUrl }),
        stateVersionOf: async (componentId: string) =>
          (await managedState.latestStateVersion(componentId))?.id,
        log,
      };
      const advance = async (runComponentId: string) => {
        for (const runId of await advanceRun(flow, runComponentId)) {
          await requestReport(queue, runId);
        }
      };
      const executeJob = async (job: RunComponentJob, jobId: string) => {
        await executeRunComponent(executor, job, jobId);
        await advance(job.runComponentId);
      };
      const reportJob = (job: { runId: string }) => reportRun(flow, job.runId);
      if (config.workers > 0) {
        recovery = startRecoveryLoop({
          leases,
          queue,
          leaseMs: config.workerLeaseMs,
          releaseStateLock: (runId, componentId) =>
            managedState.releaseLocksOfRun(runId, componentId),
          revokeStateCredentials: (runId, componentId) =>
            managedState.revokeStateCredentials(runId, componentId),
          afterRecovery: advance,
          log,
        });
      }
      await startWorkers({
        queue,
        concurrency: config.workers,
        processDelivery,
        executeJob,
        reportJob,
        log,
      });
    }
  } else {
    log.warn(
      "APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are unset: serving setup and health pages only",
    );
  }

  let server: Server | undefined;
  let port: number | undefined;
  if (options.mode !== "worker") {
    const routes = healthRoutes({
      isReady: () => database.isReady(),
      accepting: () => accepting,
      sandbox: engineSandbox?.status,
    });
    if (!config.github) routes.route("/", setupRoutes(config.webhookPath));
    routes.route("/state", stateRoutes(stateDeps));
    const sessionKeysOfPages = sessionKeys(config.encryptionKey);
    const users = config.githubSignIn ? createGithubUserAuth(config.githubSignIn, log) : undefined;
    const secureCookies = config.publicUrl.startsWith("https:");
    if (users) {
      routes.route(
        "/",
        signInRoutes({
          users,
          keys: sessionKeysOfPages,
          publicUrl: config.publicUrl,
          secureCookies,
          log,
        }),
      );
    }
    routes.route(
      "/",
      runPageRoutes({
        store: maskRunPageStore(runPages, maskLines),
        access: createRunPageAccess({ users, github }),
        keys: sessionKeysOfPages,
        githubWebUrl: config.githubWebUrl,
        signIn: users !== undefined,
        secureCookies,
        rerun,
        log,
      }),
    );
    server = createHttpServer({ webhookPath: config.webhookPath, webhooks, routes, log });
    port = await listen(server, options.port ?? config.port);
    log.info({ port, webhookPath: config.webhookPath }, "listening");
  }

  return {
    config,
    database,
    queue,
    port,
    log,
    async stop() {
      accepting = false;
      const closed = server
        ? new Promise<void>((resolve) => server.close(() => resolve()))
        : Promise.resolve();
      server?.closeIdleConnections();
      await recovery?.stop();
      await queue.stop();
      await closed;
      await database.close();
      log.info("stopped");
    },
  };
}
