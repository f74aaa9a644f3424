import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import type { AppConfig } from "../config/load-config.js";
import type { createProbot } from "../github/create-probot.js";
import { createPhaseTokenIssuer } from "../identity/phase-token-issuer.js";
import { createSigningKeyRing } from "../identity/signing-key-ring.js";
import { componentRunner } from "../runner/component-runner.js";
import { createEngine } from "../runner/engine.js";
import { createEngineVersions } from "../runner/engine-versions.js";
import { createEngineDownloader } from "../runner/download-engine.js";
import type { Sandbox } from "../runner/sandbox.js";
import type { DeliveryStore } from "../services/delivery-port.js";
import type { ExecutorDeps } from "../services/execute-run-component.js";
import type { InstallationStore } from "../services/installation-port.js";
import type { Metrics } from "../services/metrics-port.js";
import type { PlanDeps } from "../services/plan-deps.js";
import type { JobQueue } from "../services/queue-port.js";
import { startRecoveryLoop } from "../services/recover-lost-components.js";
import { requeueOrphanedDeliveries } from "../services/requeue-orphaned-deliveries.js";
import type { ManagedState } from "../services/state-port.js";
import { createStateBackendLender } from "../state/lend-state-backend.js";
import type { Database } from "../store/database.js";
import { createLeaseRepository } from "../store/lease-repository.js";
import { createNotificationRepository } from "../store/notification-repository.js";
import { createSlackPoster } from "../notify/slack-poster.js";
import { createWebhookSender } from "../notify/send-webhook.js";
import { queueDeliveries, recordRunNotifications } from "../services/record-run-notifications.js";
import { createRunRepository } from "../store/run-repository.js";
import { createSecretRepository } from "../store/secret-repository.js";
import { createSigningKeyRepository } from "../store/signing-key-repository.js";
import { advanceAndReport } from "./advance-and-report.js";
import { componentJobHandler } from "./component-job-handler.js";
import { deliveryJobHandler } from "./delivery-job-handler.js";
import { driftTickHandler } from "./drift-tick-handler.js";
import { notifyDeliveryHandler } from "./notify-delivery-handler.js";
import { registerJobHandlers } from "./register-job-handlers.js";
import { collectGarbageHandler } from "./collect-garbage-handler.js";
import { retentionTargets } from "./retention-targets.js";
import { reportJobHandler } from "./report-job-handler.js";

/**
 * The worker side of a process: deliveries left without a job are queued again, lost components
 * are looked for, and this process takes `config.workers` jobs of each queue at once.
 */
export async function startWorkerSide(deps: {
  config: AppConfig;
  database: Database;
  queue: JobQueue;
  deliveries: DeliveryStore;
  installations: InstallationStore;
  managedState: ManagedState;
  probot: ReturnType<typeof createProbot>;
  flow: PlanDeps;
  /** The engines' sandbox, decided before anything started; undefined runs them unconfined. */
  sandbox: Sandbox | undefined;
  workspaceRoot: string;
  ownCredentials: () => Iterable<string>;
  /** Keeps a credential Bosun made (a phase's OIDC token) masked until it expires. */
  rememberCredential: (value: string, expiresAt: Date) => void;
  /** The process's proxied fetch behind HTTP(S)_PROXY (src/main.ts); undefined: the global one. */
  outgoingFetch: typeof fetch | undefined;
  metrics: Metrics;
  log: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const { config, database, queue, managedState, log } = deps;
  const leases = createLeaseRepository(database.db);
  const delivery = deliveryJobHandler(deps);
  await requeueOrphanedDeliveries({ deliveries: deps.deliveries, queue, log });
  const engines = {
    opentofu: createEngine("opentofu", config.engines.opentofu, deps.sandbox),
    terraform: createEngine("terraform", config.engines.terraform, deps.sandbox),
  };
  const executor: ExecutorDeps = {
    runner: componentRunner,
    runs: createRunRepository(database.db),
    leases,
    workerId: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: config.workerLeaseMs,
    secrets: createSecretRepository(database.db, config.encryptionKeys),
    fetchSource: deps.flow.fetchSource,
    engines,
    terragrunt: config.terragrunt,
    engineVersions: createEngineVersions({
      dir: config.engineDir,
      defaults: engines,
      make: (kind, bin) => createEngine(kind, bin, deps.sandbox),
      download: await createEngineDownloader({
        dir: config.engineDir,
        mirror: config.engineMirror,
        signingKeys: config.engineSigningKeys,
        log,
        fetch: deps.outgoingFetch,
      }),
    }),
    encryptionKey: config.encryptionKeys,
    workspaceRoot: deps.workspaceRoot,
    providerCache: path.join(config.dataDir, "providers"),
    timeoutMs: config.runTimeoutMs,
    hostEnv: process.env,
    enginePassthrough: config.enginePassthrough,
    ownCredentials: deps.ownCredentials,
    stateBackend: createStateBackendLender({ managedState, stateUrl: config.publicUrl }),
    phaseTokens: createPhaseTokenIssuer({
      // The same ring the web side publishes (src/web/start-web-side.ts): one table of keys.
      ring: createSigningKeyRing({
        store: createSigningKeyRepository(database.db),
        encryptionKey: config.encryptionKeys,
        tokenLifetimeMs: config.runTimeoutMs,
      }),
      issuer: config.publicUrl,
      maxLifetimeMs: config.runTimeoutMs,
      remember: deps.rememberCredential,
    }),
    stateVersionOf: async (componentId) => (await managedState.latestStateVersion(componentId))?.id,
    metrics: deps.metrics,
    log,
  };
  const advance = advanceAndReport(deps.flow);
  const notifications = createNotificationRepository(database.db, config.encryptionKeys);
  const notify = config.notifications;
  const recovery =
    config.workers > 0
      ? startRecoveryLoop({
          leases,
          queue,
          leaseMs: config.workerLeaseMs,
          releaseStateLock: (runId, componentId) =>
            managedState.releaseLocksOfRun(runId, componentId),
          revokeStateCredentials: (runId, componentId) =>
            managedState.revokeStateCredentials(runId, componentId),
          afterRecovery: advance,
          log,
        })
      : undefined;
  await registerJobHandlers({
    queue,
    concurrency: config.workers,
    handlers: {
      delivery,
      component: componentJobHandler({ executor, advance }),
      report: reportJobHandler(deps.flow),
      driftTick: driftTickHandler({ flow: deps.flow, defaultSchedule: config.driftSchedule }),
      notifyRun: async (job) =>
        recordRunNotifications(
          {
            notifications,
            runViews: deps.flow.runViews,
            github: deps.flow.github,
            queue,
            runLink: deps.flow.runLink,
            githubWebUrl: config.githubWebUrl,
            serverUrl: notify.server?.url,
            slackEnabled: notify.slack !== undefined,
            log,
          },
          job.data.runId,
        ),
      notifyDelivery: notifyDeliveryHandler({
        notifications,
        queue,
        sendWebhook: createWebhookSender({ timeoutMs: notify.timeoutMs, proxy: config.proxy }),
        slack:
          notify.slack &&
          createSlackPoster({
            ...notify.slack,
            timeoutMs: notify.timeoutMs,
            fetch: deps.outgoingFetch,
          }),
        serverSecret: notify.server?.secret,
        allowPrivate: notify.allowPrivate,
        retryBaseMs: notify.retryBaseMs,
        timeoutMs: notify.timeoutMs,
        metrics: deps.metrics,
        log,
      }),
      notifySweep: () => queueDeliveries({ notifications, queue }, undefined),
      collectGarbage: collectGarbageHandler({
        targets: retentionTargets(database, config.dataDir),
        settings: config.retention,
        log,
      }),
    },
    log,
  });
  return {
    async stop() {
      await recovery?.stop();
    },
  };
}
