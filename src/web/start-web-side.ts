import type { Server } from "node:http";
import type { Logger } from "pino";
import type { AppConfig } from "../config/load-config.js";
import { createGithubUserAuth } from "../github/github-user-auth.js";
import type { MaskLines } from "../lib/mask-strings.js";
import { createDeliveryAcceptor } from "../services/accept-delivery.js";
import type { DeliveryStore } from "../services/delivery-port.js";
import type { GithubGateway } from "../services/github-port.js";
import type { Metrics } from "../services/metrics-port.js";
import type { PlanDeps } from "../services/plan-deps.js";
import type { TransactionalQueue } from "../services/queue-port.js";
import { confirmRun } from "../services/confirm-run.js";
import { discardRun } from "../services/discard-run.js";
import { rerunRun } from "../services/rerun-run.js";
import { triggerStackRun } from "../services/trigger-stack-run.js";
import type { ManagedStateDeps } from "../state/managed-state-deps.js";
import { stateRoutes } from "../state/state-routes.js";
import type { Database } from "../store/database.js";
import { createSigningKeyRing } from "../identity/signing-key-ring.js";
import { createApiTokenRepository } from "../store/api-token-repository.js";
import { createRunPageRepository } from "../store/run-page-repository.js";
import { createSigningKeyRepository } from "../store/signing-key-repository.js";
import type { SandboxStatus } from "../worker/start-sandbox.js";
import { countStateRequests } from "./count-state-requests.js";
import { countWebhookDeliveries } from "./count-webhook-deliveries.js";
import { healthRoutes } from "./health-routes.js";
import { createHttpServer, listen } from "./http-server.js";
import { metricsRoutes } from "./metrics-routes.js";
import { oidcRoutes } from "./oidc-routes.js";
import { createRunPageAccess } from "./run-pages/access.js";
import { maskRunPageStore } from "./run-pages/mask-run-page-store.js";
import { runPageRoutes } from "./run-pages/run-page-routes.js";
import { sessionKeys } from "./run-pages/session.js";
import { signInRoutes } from "./run-pages/sign-in-routes.js";
import type { AppManifestFile } from "../config/app-manifest.js";
import type { ConvertManifestCode } from "../services/app-registration-port.js";
import { setupRoutes } from "./setup/setup-routes.js";
import { unconfiguredWebhooks, webhookListener } from "./webhook-listener.js";

/** What the web side uses of a configured GitHub App. */
export interface GithubAppWiring {
  webhookSecret: string;
  /** The webhook secret's HMAC check (`Webhooks.verify`). */
  verify: (payload: string, signature: string) => Promise<boolean>;
  gateway: GithubGateway;
  /** What a run page's Re-run, a stack page's Trigger menu and the HTTP API plan with. */
  flow: PlanDeps;
}

/** What the setup pages need while there are no App credentials (src/web/setup/). */
export interface AppSetupWiring {
  manifest: AppManifestFile;
  convert: ConvertManifestCode;
  /** Development's .env, where the credentials go; undefined in production (shown once). */
  envFile: string | undefined;
}

/**
 * The web side of a process: one HTTP server for webhooks, health, the state backend, sign-in and
 * run pages. Without the GitHub App's credentials it serves setup and health pages only.
 */
export async function startWebSide(deps: {
  config: AppConfig;
  database: Database;
  queue: TransactionalQueue;
  deliveries: DeliveryStore;
  stateDeps: ManagedStateDeps;
  /** The last pass over what run pages show, with the credentials known now. */
  maskLines: MaskLines;
  github: GithubAppWiring | undefined;
  /** Given when `github` is not: the one-click App registration. */
  setup: AppSetupWiring | undefined;
  /** How this process's workers run engines, for /readyz; undefined when it runs none. */
  sandbox: SandboxStatus | undefined;
  /**
   * What the web side counts, and `GET /metrics` (its text, and the token that guards it);
   * `exposition` is undefined when /metrics has a listener of its own (BOSUN_METRICS_PORT).
   */
  metrics: {
    metrics: Metrics;
    exposition: (() => Promise<{ contentType: string; body: string }>) | undefined;
    token: string | undefined;
  };
  /** The HTTPS_PROXY-aware fetch for requests to GitHub (src/lib/proxy-agent.ts). */
  outgoingFetch: typeof fetch | undefined;
  port: number;
  log: Logger;
}): Promise<{
  port: number;
  /** Stops taking requests (/readyz says so) and resolves once those in hand are answered. */
  close(): Promise<void>;
}> {
  const { config, database, github, log } = deps;
  let accepting = true;
  const runPages = createRunPageRepository(database.db);
  const webhooks = github
    ? webhookListener({
        secret: github.webhookSecret,
        path: config.webhookPath,
        verify: github.verify,
        accept: createDeliveryAcceptor({
          deliveries: deps.deliveries,
          queue: deps.queue,
          inTransaction: database.transaction,
        }),
        log,
      })
    : unconfiguredWebhooks;

  const routes = healthRoutes({
    isReady: () => database.isReady(),
    accepting: () => accepting,
    sandbox: deps.sandbox,
  });
  const secureCookies = config.publicUrl.startsWith("https:");
  const { exposition } = deps.metrics;
  if (exposition) routes.route("/", metricsRoutes({ exposition, token: deps.metrics.token }));
  if (!github && deps.setup) {
    routes.route(
      "/",
      setupRoutes({
        ...deps.setup,
        webhookPath: config.webhookPath,
        publicUrl: config.publicUrl,
        githubWebUrl: config.githubWebUrl,
        secureCookies,
        log,
      }),
    );
  }
  routes.use("/state/*", countStateRequests(deps.metrics.metrics));
  routes.route("/state", stateRoutes(deps.stateDeps));
  routes.route(
    "/",
    oidcRoutes({
      issuer: config.publicUrl,
      keys: createSigningKeyRing({
        store: createSigningKeyRepository(database.db),
        encryptionKey: config.encryptionKeys,
        tokenLifetimeMs: config.runTimeoutMs,
      }),
    }),
  );
  const sessionKeysOfPages = sessionKeys(config.encryptionKey);
  const users = config.githubSignIn
    ? createGithubUserAuth(config.githubSignIn, log, deps.outgoingFetch)
    : undefined;
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
      store: maskRunPageStore(runPages, deps.maskLines),
      access: createRunPageAccess({ users, github: github?.gateway }),
      keys: sessionKeysOfPages,
      githubWebUrl: config.githubWebUrl,
      signIn: users !== undefined,
      secureCookies,
      rerun: github ? (input) => rerunRun(github.flow, input) : undefined,
      actions: github
        ? {
            trigger: (input) => triggerStackRun(github.flow, input),
            confirm: (input) => confirmRun(github.flow, input),
            discard: (input) => discardRun(github.flow, input),
          }
        : undefined,
      tokens: createApiTokenRepository(database.db),
      publicUrl: config.publicUrl,
      log,
    }),
  );
  const server: Server = createHttpServer({
    webhookPath: config.webhookPath,
    webhooks: countWebhookDeliveries(deps.metrics.metrics, webhooks),
    routes,
    log,
  });
  const port = await listen(server, deps.port);
  log.info({ port, webhookPath: config.webhookPath }, "listening");
  return {
    port,
    close() {
      accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      return closed;
    },
  };
}
