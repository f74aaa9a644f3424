import os from "node:os";
import { Command } from "commander";
import { ConfigError } from "./config/load-config.js";
import { SandboxRefusedError } from "./worker/start-sandbox.js";
import { type Mode, startBosun } from "./main.js";
import { DatabaseError } from "./store/database-error.js";
import { loadConfig } from "./config/load-config.js";
import type { DatabaseTarget } from "./config/database-target.js";
import { type Database, openDatabaseForCommand } from "./store/database.js";
import { createLogger } from "./lib/logger.js";
import { SealError } from "./lib/seal.js";
import { createComponentDirectory } from "./store/component-directory.js";
import { parseDuration } from "./config/duration.js";
import { createAppDeliveriesApi } from "./github/app-deliveries-api.js";
import { createProbot } from "./github/create-probot.js";
import { replayMissedDeliveries } from "./services/replay-deliveries.js";
import { receivedDeliveries } from "./store/received-deliveries.js";
import { createStateRepository } from "./store/state-repository.js";
import type { CommandResult } from "./lib/command-result.js";
import {
  deleteSecretCommand,
  listSecretsCommand,
  setSecretCommand,
} from "./services/secrets-command.js";
import { createSecretRepository, type SecretRepository } from "./store/secret-repository.js";
import type { ApiTokenStore } from "./services/api-token-port.js";
import {
  createTokenCommand,
  listTokensCommand,
  revokeTokenCommand,
} from "./services/tokens-command.js";
import { createApiTokenRepository } from "./store/api-token-repository.js";
import { exportStateCommand } from "./state/export-state-command.js";
import { importStateCommand } from "./state/import-state-command.js";
import type { ManagedStateDeps } from "./state/managed-state-deps.js";
import { unlockStateCommand } from "./state/unlock-state-command.js";
import type { ComponentDirectory } from "./services/state-port.js";
import { registerRunCommands } from "./client/register-run-commands.js";
import { importAtlantisCommand } from "./config/import-atlantis-command.js";
import {
  listDeliveriesCommand,
  redeliverCommand,
  setNotificationSecretCommand,
} from "./services/notifications-command.js";
import { createNotificationRepository } from "./store/notification-repository.js";
import { openSendOnlyQueue } from "./queue/job-queue.js";
import type { JobQueue } from "./services/queue-port.js";
import { loadDevelopmentEnvFile } from "./config/load-env-file.js";
import { rotateKeysCommand } from "./services/rotate-keys.js";
import { collectGarbageCommand } from "./services/collect-garbage.js";
import { retentionTargets } from "./worker/retention-targets.js";
import { createSealedValueRepository } from "./store/sealed-value-repository.js";

/** Prints a start-up failure the operator can act on, and exits 1. */
function fail(error: unknown): never {
  if (error instanceof ConfigError || error instanceof SandboxRefusedError) {
    process.stderr.write(`bosun: ${error.message}\n`);
  } else if (error instanceof DatabaseError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    process.stderr.write(`bosun: ${error.message}${error.message.includes(cause) ? "" : cause}\n`);
  } else {
    process.stderr.write(
      `bosun: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
}

async function serve(mode: Mode): Promise<void> {
  const bosun = await startBosun({ mode, env: process.env }).catch(fail);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bosun.log.info({ signal }, "shutting down");
    bosun.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        bosun.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

try {
  // Before any command reads the environment: the setup page's credentials, in development.
  loadDevelopmentEnvFile(process.env);
} catch (error) {
  fail(error);
}

const program = new Command("bosun").description(
  "Runs OpenTofu and Terraform from GitHub pull requests",
);
program
  .command("start", { isDefault: true })
  .description("web server and workers in one process")
  .action(() => serve("all"));
program
  .command("web")
  .description("web server only: webhooks, pages, state backend")
  .action(() => serve("web"));
program
  .command("worker")
  .description("workers only, sharing the database with the web process")
  .action(() => serve("worker"));
program
  .command("migrate")
  .description("apply database migrations and exit")
  .action(async () => {
    try {
      const config = await loadConfig(process.env);
      const database = await openDatabaseForCommand(config.database);
      await database.migrate();
      await database.close();
      process.stdout.write(`migrations applied (${config.database.kind})\n`);
    } catch (error) {
      fail(error);
    }
  });

type StateCommandDeps = Pick<ManagedStateDeps, "store" | "key" | "log"> & {
  directory: ComponentDirectory;
};

/**
 * Opens the database, which must already be migrated, for one operator command (through the
 * running Bosun when it has the embedded database open), and closes it whether the command
 * succeeds or throws.
 */
async function onMigratedDatabase(
  target: DatabaseTarget,
  run: (database: Database) => Promise<CommandResult>,
): Promise<CommandResult> {
  const database = await openDatabaseForCommand(target);
  try {
    if (!(await database.isReady())) {
      throw new DatabaseError("the database is not migrated: run `bosun migrate` first");
    }
    const result = await run(database);
    await database.close();
    return result;
  } catch (error) {
    // The command's own error is the one to report, not a failure to close after it.
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** Prints what an operator command says and exits with its code. */
function report(result: CommandResult): void {
  process.stderr.write(result.stderr);
  process.stdout.write(result.stdout);
  process.exitCode = result.exitCode;
}

/** Runs one `bosun state` command on the (already migrated) database. */
async function stateCommand(run: (deps: StateCommandDeps) => Promise<CommandResult>) {
  try {
    const config = await loadConfig(process.env);
    // stdout carries the command's product (an exported state), so logs go to stderr.
    const log = createLogger(config.logLevel, process.stderr);
    // A key generated just now opens no state sealed before: say so before anything fails.
    if (config.encryptionKeyNotice) log.warn(config.encryptionKeyNotice);
    report(
      await onMigratedDatabase(config.database, (database) =>
        run({
          store: createStateRepository(database.db),
          directory: createComponentDirectory(database.db),
          key: config.encryptionKeys,
          log,
        }),
      ),
    );
  } catch (error) {
    if (error instanceof SealError) {
      process.stderr.write(
        `bosun: ${error.message}: are BOSUN_ENCRYPTION_KEYS (or BOSUN_ENCRYPTION_KEY) the keys Bosun runs with?\n`,
      );
      process.exit(1);
    }
    fail(error);
  }
}

/** The operator, for audit lines. */
function operator(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (a container running under an arbitrary uid).
    return process.env.USER ?? `uid ${process.getuid?.() ?? "unknown"}`;
  }
}

program
  .command("deliveries")
  .description("GitHub's webhook deliveries to the App")
  .command("replay")
  .description(
    "ask GitHub to redeliver the webhooks it sent that Bosun never recorded (missed while it was down)",
  )
  .requiredOption("--since <duration>", "how far back to look, e.g. 2h or 3d (GitHub keeps 3 days)")
  .option("--dry-run", "list what would be redelivered, and redeliver nothing")
  .action(async (options: { since: string; dryRun?: boolean }) => {
    try {
      const window = parseDuration(options.since);
      if (window === undefined) {
        throw new ConfigError([`--since: "${options.since}" is not a duration such as 90m or 2h`]);
      }
      const config = await loadConfig(process.env);
      if (!config.github) {
        throw new ConfigError([
          "APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are needed to reach GitHub",
        ]);
      }
      const github = config.github;
      const log = createLogger(config.logLevel, process.stderr);
      report(
        await onMigratedDatabase(config.database, (database) =>
          replayMissedDeliveries(
            {
              github: createAppDeliveriesApi(createProbot(github, log)),
              received: (ids) => receivedDeliveries(database.db, ids),
            },
            { since: new Date(Date.now() - window), dryRun: options.dryRun ?? false },
          ),
        ),
      );
    } catch (error) {
      fail(error);
    }
  });

const COMPONENT_HELP = "the component, written owner/repo:stack@environment";
const state = program.command("state").description("Bosun's managed state");
state
  .command("unlock")
  .description("force-release a component's state lock (written to the audit log)")
  .argument("<component>", COMPONENT_HELP)
  .action((component: string) =>
    stateCommand((deps) => unlockStateCommand(deps, { component, who: operator() })),
  );
state
  .command("import")
  .description("append a state file (format 4) as the component's newest state version")
  .argument("<component>", COMPONENT_HELP)
  .argument("<file>", "the state JSON file")
  .action((component: string, file: string) =>
    stateCommand((deps) => importStateCommand(deps, { component, file, who: operator() })),
  );
state
  .command("export")
  .description("print the component's latest state, decrypted, to stdout")
  .argument("<component>", COMPONENT_HELP)
  .action((component: string) => stateCommand((deps) => exportStateCommand(deps, { component })));

/** Runs one `bosun secrets` command on the (already migrated) database. */
async function secretsCommand(run: (admin: SecretRepository) => Promise<CommandResult>) {
  try {
    const config = await loadConfig(process.env);
    report(
      await onMigratedDatabase(config.database, (database) =>
        run(createSecretRepository(database.db, config.encryptionKeys)),
      ),
    );
  } catch (error) {
    fail(error);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const SECRET_TARGET_HELP =
  "the stack's name in bosun.yml, or STACK@ENVIRONMENT for one environment's secret";
const secrets = program
  .command("secrets")
  .description("a stack's secret variables, stack-wide or per environment, sealed at rest");
secrets
  .command("set")
  .description(
    'set a secret from stdin: printf %s "$VALUE" | bosun secrets set acme/infra network@prod AWS_SECRET_ACCESS_KEY --scope apply',
  )
  .argument("<repository>", "owner/repo")
  .argument("<stack>", SECRET_TARGET_HELP)
  .argument("<name>", "the environment variable the engine receives (TF_VAR_x for a variable)")
  .requiredOption("--scope <scope>", "plan, apply or both: which phases receive it")
  .action(async (repository: string, stack: string, name: string, options: { scope: string }) => {
    const value = await readStdin();
    await secretsCommand((admin) =>
      setSecretCommand(admin, { repository, stack, name, scope: options.scope, value }),
    );
  });
secrets
  .command("list")
  .description(
    "name, scope, environment (* for stack-wide) and last update of a stack's secrets, never their values; STACK@ENVIRONMENT lists that environment's and the stack-wide ones",
  )
  .argument("<repository>", "owner/repo")
  .argument("<stack>", SECRET_TARGET_HELP)
  .action((repository: string, stack: string) =>
    secretsCommand((admin) => listSecretsCommand(admin, { repository, stack })),
  );
secrets
  .command("delete")
  .description(
    "delete a secret: STACK names the stack-wide one, STACK@ENVIRONMENT that environment's",
  )
  .argument("<repository>", "owner/repo")
  .argument("<stack>", SECRET_TARGET_HELP)
  .argument("<name>", "the secret's name")
  .action((repository: string, stack: string, name: string) =>
    secretsCommand((admin) => deleteSecretCommand(admin, { repository, stack, name })),
  );

/** Runs one `bosun tokens` command on the (already migrated) database. */
async function tokensCommand(run: (store: ApiTokenStore) => Promise<CommandResult>) {
  try {
    const config = await loadConfig(process.env);
    report(
      await onMigratedDatabase(config.database, (database) =>
        run(createApiTokenRepository(database.db)),
      ),
    );
  } catch (error) {
    fail(error);
  }
}

const tokens = program
  .command("tokens")
  .description("tokens for the HTTP API, each scoped to repositories (stored hashed)");
tokens
  .command("create")
  .description(
    "create a token and print it once, alone on the last line: TOKEN=$(bosun tokens create ci --repo acme/infra | tail -1)",
  )
  .argument("<name>", "what the token is for; runs it starts say NAME (API token)")
  .option(
    "--repo <owner/repo>",
    "a repository the token may act on (repeat for more)",
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .option(
    "--scope <scope>",
    "read (runs and logs) or trigger (also start, confirm, discard and re-run runs)",
    "read",
  )
  .action((name: string, options: { repo: string[]; scope: string }) =>
    tokensCommand((store) =>
      createTokenCommand(store, {
        name,
        repositories: options.repo,
        scope: options.scope,
        createdBy: operator(),
      }),
    ),
  );
tokens
  .command("list")
  .description("every token: name, id, scope, repositories, created, last used, revoked")
  .action(() => tokensCommand((store) => listTokensCommand(store)));
tokens
  .command("revoke")
  .description("revoke a token: requests with it are refused from then on")
  .argument("<token>", "the token's id or name")
  .action((token: string) =>
    tokensCommand((store) => revokeTokenCommand(store, { token, now: new Date() })),
  );

/** Runs one `bosun notifications` command on the (already migrated) database. */
async function notificationsCommand(
  run: (
    store: ReturnType<typeof createNotificationRepository>,
    openQueue: () => Promise<Pick<JobQueue, "send" | "stop">>,
  ) => Promise<CommandResult>,
) {
  try {
    const config = await loadConfig(process.env);
    report(
      await onMigratedDatabase(config.database, (database) =>
        run(createNotificationRepository(database.db, config.encryptionKeys), () =>
          openSendOnlyQueue(database, createLogger(config.logLevel, process.stderr)),
        ),
      ),
    );
  } catch (error) {
    fail(error);
  }
}

const notifications = program
  .command("notifications")
  .description("notification webhooks: their signing secrets, deliveries and redeliveries");
notifications
  .command("secret")
  .description("the signing secrets bosun.yml's webhooks name")
  .command("set")
  .description(
    'set a webhook\'s Standard Webhooks secret from stdin: printf %s "$SECRET" | bosun notifications secret set acme/infra AUDIT_WEBHOOK_SECRET',
  )
  .argument("<repository>", "owner/repo")
  .argument("<name>", "the name bosun.yml's webhook.secret gives")
  .action(async (repository: string, name: string) => {
    const value = await readStdin();
    await notificationsCommand((store) =>
      setNotificationSecretCommand(store, { repository, name, value }),
    );
  });
notifications
  .command("deliveries")
  .description(
    "deliveries, newest first: id, created, event, target, status, attempts, last answer, next attempt, last error",
  )
  .option("--failed", "only those given up (after a day of retries) or refused")
  .option("--limit <n>", "how many", "50")
  .action((options: { failed?: boolean; limit: string }) =>
    notificationsCommand((store) =>
      listDeliveriesCommand(store, {
        failed: options.failed === true,
        limit: Math.max(1, Math.min(1000, Number(options.limit) || 50)),
      }),
    ),
  );
notifications
  .command("redeliver")
  .description("send a delivery again, under its same webhook-id, now")
  .argument("<id>", "the delivery's id, from bosun notifications deliveries")
  .action((id: string) =>
    notificationsCommand(async (store, openQueue) => {
      const queue = await openQueue();
      try {
        return await redeliverCommand({ store, queue }, { id });
      } finally {
        await queue.stop();
      }
    }),
  );

program
  .command("keys")
  .description("the encryption keys of BOSUN_ENCRYPTION_KEYS")
  .command("rotate")
  .description(
    "re-seal every sealed value (secrets, states, saved workspaces, outputs, signing keys) under the newest key, beside a running Bosun; then the older keys can be removed",
  )
  .action(async () => {
    try {
      const config = await loadConfig(process.env);
      report(
        await onMigratedDatabase(config.database, (database) =>
          rotateKeysCommand({
            sealed: createSealedValueRepository(database),
            keys: config.encryptionKeys,
          }),
        ),
      );
    } catch (error) {
      fail(error);
    }
  });

program
  .command("gc")
  .description(
    "delete what BOSUN_RETENTION_* says is too old (webhook payloads, phase logs, sealed plans of finished runs, cached tarballs, state versions), as the daily job does; prints counts and bytes before and after",
  )
  .option("--dry-run", "say what would be deleted, and delete nothing")
  .action(async (options: { dryRun?: boolean }) => {
    try {
      const config = await loadConfig(process.env);
      const log = createLogger(config.logLevel, process.stderr);
      report(
        await onMigratedDatabase(config.database, (database) =>
          collectGarbageCommand(
            { targets: retentionTargets(database, config.dataDir), log },
            { settings: config.retention, now: new Date(), dryRun: options.dryRun ?? false },
          ),
        ),
      );
    } catch (error) {
      fail(error);
    }
  });

registerRunCommands(program);

program
  .command("import-atlantis")
  .description(
    "print the bosun.yml equivalent to an Atlantis atlantis.yaml (version 3), with a comment on each setting it could not carry over; reads no database",
  )
  .argument("<file>", "the atlantis.yaml")
  .action(async (file: string) => report(await importAtlantisCommand({ file })));

await program.parseAsync(process.argv);
