import path from "node:path";
import type { Logger } from "pino";
import { type AppConfig, ConfigError, loadConfig } from "./config/load-config.js";
import { ownCredentials } from "./config/own-credentials.js";
import { createGlobMatcher } from "./config/glob-matcher.js";
import { stateCredentialLifetime } from "./domain/state-credential-lifetime.js";
import { createCredentialRegistry } from "./lib/credential-registry.js";
import { createLogger } from "./lib/logger.js";
import { proxiedFetch } from "./lib/proxy-agent.js";
import { createMasker } from "./lib/redact.js";
import { createRunLinker } from "./lib/signed-link.js";
import { createPrometheusMetrics } from "./metrics/prometheus-metrics.js";
import { createGithubGateway } from "./github/create-github-gateway.js";
import { createProbot } from "./github/create-probot.js";
import { createSourceArchiveFetcher } from "./github/fetch-source-archive.js";
import { recordInstallationTokens } from "./github/record-installation-tokens.js";
import { bosunQueues } from "./queue/bosun-queues.js";
import { createComponentRepository } from "./store/component-repository.js";
import { createPullRequestRepository } from "./store/pull-request-repository.js";
import { createRunReportRepository } from "./store/run-report-repository.js";
import { createRunTransitionRepository } from "./store/run-transition-repository.js";
import { createRunViewRepository } from "./store/run-view-repository.js";
import { startJobQueue } from "./queue/job-queue.js";
import { cacheSourceArchives } from "./runner/cached-source-archive.js";
import { inspectSource } from "./runner/inspect-source.js";
import type { PlanDeps } from "./services/plan-deps.js";
import type { JobQueue } from "./services/queue-port.js";
import { createManagedState } from "./state/create-managed-state.js";
import { createChangesetRepository } from "./store/changeset-repository.js";
import { openDatabase, type Database } from "./store/database.js";
import { createDeliveryRepository } from "./store/delivery-repository.js";
import { createDriftRepository } from "./store/drift-repository.js";
import { createInstallationRepository } from "./store/installation-repository.js";
import { createMetricsSnapshotReader } from "./store/read-metrics-snapshot.js";
import { createStateCredentialRepository } from "./store/state-credential-repository.js";
import { createStateRepository } from "./store/state-repository.js";
import { readAppManifest } from "./config/app-manifest.js";
import { createManifestConverter } from "./github/convert-app-manifest.js";
import { startMetricsListener } from "./web/metrics-listener.js";
import { type AppSetupWiring, type GithubAppWiring, startWebSide } from "./web/start-web-side.js";
import { startSandbox } from "./worker/start-sandbox.js";
import { startWorkerSide } from "./worker/start-worker-side.js";

export type Mode = "all" | "web" | "worker";

export interface RunningBosun {
  config: AppConfig;
  database: Database;
  queue: JobQueue;
  /** The port the HTTP server listens on; undefined for a worker-only process. */
  port: number | undefined;
  /** Where `/metrics` is served on its own (BOSUN_METRICS_PORT); undefined when it is not. */
  metricsPort: number | undefined;
  log: Logger;
  /** Graceful shutdown: stop taking requests and jobs, finish those in hand, close the database. */
  stop(): Promise<void>;
}

/**
 * Composition root: builds the adapters both sides share and starts the worker side and the web
 * side (src/worker/start-worker-side.ts, src/web/start-web-side.ts). No logic lives here.
 */
export async function startBosun(options: {
  mode: Mode;
  env: NodeJS.ProcessEnv;
  log?: Logger;
  /** Replaces PORT: tests pass 0 for a free port. */
  port?: number;
  /** Replaces BOSUN_METRICS_PORT when that is set: tests pass 0 for a free port. */
  metricsPort?: number;
  /** Probot Octokit class override: tests turn off retries and throttling. */
  octokit?: Parameters<typeof createProbot>[2];
  /** Where development's App setup writes credentials: `.env` in the working directory. */
  envFile?: string;
}): Promise<RunningBosun> {
  const config = await loadConfig(options.env);
  if (options.mode === "worker" && !config.github) {
    // Setup mode serves pages; a process without them would sit idle and look healthy.
    throw new ConfigError([
      "APP_ID, PRIVATE_KEY, WEBHOOK_SECRET: required by `bosun worker`; register the App on the web process's setup page first",
    ]);
  }
  const log = options.log ?? createLogger(config.logLevel);
  if (config.encryptionKeyNotice) log.warn(config.encryptionKeyNotice);
  const workspaceRoot = path.join(config.dataDir, "workspaces");
  // HTTP(S)_PROXY for Bosun's own requests (GitHub, Slack, engine downloads); unset, Node's
  // global fetch. One agent, so its connection pool is shared.
  const outgoingFetch = config.proxy && proxiedFetch(config.proxy);
  // Read before anything opens: a broken app.yml stops the start, leaving nothing half-open.
  const setup: AppSetupWiring | undefined = config.github
    ? undefined
    : {
        manifest: await readAppManifest(),
        convert: createManifestConverter(config.githubApiUrl, log, outgoingFetch),
        envFile: config.production ? undefined : path.resolve(options.envFile ?? ".env"),
      };
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

  const database = await openDatabase(config.database, { role: "server" });
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  log.info({ database: config.database.kind }, "database migrated");
  // Once migrated: a command that came in earlier would find the tables missing.
  await database.serveLocalCommands(log);

  const queue = await startJobQueue(database, bosunQueues(config), log);
  const prometheus = createPrometheusMetrics({
    readSnapshot: createMetricsSnapshotReader(database),
    sandbox: engineSandbox?.status,
  });
  const { metrics } = prometheus;
  const deliveries = createDeliveryRepository(database.db);
  const stateDeps = {
    store: createStateRepository(database.db),
    credentials: createStateCredentialRepository(database.db),
    key: config.encryptionKeys,
    credentialLifetimeMs: stateCredentialLifetime(config.runTimeoutMs).lifetimeMs,
    log,
  };
  const managedState = createManagedState(stateDeps);

  // Masked in everything a run prints, with the installation tokens obtained while Bosun runs.
  const credentials = createCredentialRegistry(ownCredentials(config));
  // The last pass over what leaves Bosun (GitHub requests, run pages), with the values known now.
  const maskLines = (lines: readonly string[]) =>
    createMasker(credentials.values()).maskLogLines(lines);

  let github: GithubAppWiring | undefined;
  let worker: { stop(): Promise<void> } | undefined;
  if (config.github) {
    const probot = createProbot(config.github, log, options.octokit, maskLines, {
      metrics,
      fetch: outgoingFetch,
    });
    recordInstallationTokens(probot, (token, expiresAt) => credentials.add(token, expiresAt));
    const gateway = createGithubGateway(probot, {});
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
      drift: createDriftRepository(database.db),
      github: gateway,
      queue,
      fetchSource,
      inspectSource,
      match: createGlobMatcher(),
      publicUrl: config.publicUrl,
      runLink: createRunLinker(config),
      log,
      revokeStateCredentials: (runId: string) => managedState.revokeStateCredentials(runId),
    };
    github = {
      webhookSecret: config.github.webhookSecret,
      verify: (payload, signature) => probot.webhooks.verify(payload, signature),
      gateway,
      flow,
    };
    if (options.mode !== "web") {
      worker = await startWorkerSide({
        config,
        database,
        queue,
        deliveries,
        installations: createInstallationRepository(database.db),
        managedState,
        probot,
        flow,
        sandbox: engineSandbox?.sandbox,
        workspaceRoot,
        ownCredentials: () => credentials.values(),
        rememberCredential: (value, expiresAt) => credentials.add(value, expiresAt),
        outgoingFetch,
        metrics,
        log,
      });
    }
  } else {
    log.warn(
      `APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are unset: serving setup and health pages only; register the App at ${config.publicUrl}/`,
    );
  }

  const web =
    options.mode !== "worker"
      ? await startWebSide({
          config,
          database,
          queue,
          deliveries,
          stateDeps,
          maskLines,
          github,
          setup,
          sandbox: engineSandbox?.status,
          metrics: {
            metrics,
            exposition: config.metricsPort === undefined ? prometheus.exposition : undefined,
            token: config.metricsToken,
          },
          outgoingFetch,
          port: options.port ?? config.port,
          log,
        })
      : undefined;

  const metricsListener =
    config.metricsPort !== undefined
      ? await startMetricsListener({
          port: options.metricsPort ?? config.metricsPort,
          exposition: prometheus.exposition,
          token: config.metricsToken,
          log,
        })
      : undefined;

  return {
    config,
    database,
    queue,
    port: web?.port,
    metricsPort: metricsListener?.port,
    log,
    async stop() {
      const closed = Promise.all([web?.close(), metricsListener?.close()]);
      await worker?.stop();
      await queue.stop();
      await closed;
      await database.close();
      log.info("stopped");
    },
  };
}
