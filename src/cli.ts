import { Command } from "commander";
import { ConfigError } from "./config/load-config.js";
import { type Mode, startBosun } from "./main.js";
import { DatabaseError } from "./store/database.js";
import { loadConfig } from "./config/load-config.js";
import { openDatabase } from "./store/database.js";

/** Prints a start-up failure the operator can act on, and exits 1. */
function fail(error: unknown): never {
  if (error instanceof ConfigError) {
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
      const database = await openDatabase(config.database);
      await database.migrate();
      await database.close();
      process.stdout.write(`migrations applied (${config.database.kind})\n`);
    } catch (error) {
      fail(error);
    }
  });

await program.parseAsync(process.argv);
