import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { createApiClient, type ApiClient } from "./api-client.js";
import {
  decideRunCommand,
  listRunsCommand,
  runLogsCommand,
  triggerRunCommand,
  type CommandOutput,
} from "./run-commands.js";

const terminal: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The API at BOSUN_URL with BOSUN_TOKEN, or undefined after saying what is missing. */
function apiFromEnvironment(): ApiClient | undefined {
  const url = process.env["BOSUN_URL"];
  const token = process.env["BOSUN_TOKEN"];
  const missing = [url ? undefined : "BOSUN_URL", token ? undefined : "BOSUN_TOKEN"].filter(
    Boolean,
  );
  if (missing.length > 0 || !url || !token) {
    terminal.err(
      `bosun: set ${missing.join(" and ")}: Bosun's address and an API token (an admin makes one with \`bosun tokens create NAME --repo OWNER/REPO --scope trigger\`)\n`,
    );
    return undefined;
  }
  return createApiClient({ url, token });
}

async function run(command: (api: ApiClient) => Promise<0 | 1>): Promise<void> {
  const api = apiFromEnvironment();
  process.exitCode = api ? await command(api) : 1;
}

/**
 * `bosun run …`: what a person does with runs from a terminal, through the HTTP API (in the spirit
 * of Spacelift's spacectl); human-readable output, `--json` for scripts.
 */
export function registerRunCommands(program: Command): void {
  const runs = program
    .command("run")
    .description("start, follow and decide runs through Bosun's HTTP API (BOSUN_URL, BOSUN_TOKEN)");
  runs
    .command("trigger")
    .description("start a run of a stack at the tracked branch's head")
    .argument("<repository>", "OWNER/REPO")
    .argument("<stack>", "the stack's name in bosun.yml")
    .requiredOption("-e, --environment <env>", "the environment to run in")
    .option("--plan-only", "plan, never apply")
    .option("--destroy", "plan a destroy of what is deployed (applied after approval)")
    .option("--runtime-config <file>", "a YAML or JSON runtime config for this run alone")
    .option("--json", "print the answer as JSON")
    .action(
      async (
        repository: string,
        stack: string,
        options: {
          environment: string;
          planOnly?: boolean;
          destroy?: boolean;
          runtimeConfig?: string;
          json?: boolean;
        },
      ) => {
        if (options.planOnly && options.destroy) {
          terminal.err("bosun: --plan-only and --destroy cannot be used together\n");
          process.exitCode = 1;
          return;
        }
        let runtimeConfig: string | undefined;
        if (options.runtimeConfig !== undefined) {
          try {
            runtimeConfig = await readFile(options.runtimeConfig, "utf8");
          } catch (error) {
            terminal.err(
              `bosun: cannot read ${options.runtimeConfig}: ${(error as Error).message}\n`,
            );
            process.exitCode = 1;
            return;
          }
        }
        await run((api) =>
          triggerRunCommand(api, terminal, {
            repository,
            stack,
            environment: options.environment,
            kind: options.destroy ? "destroy" : options.planOnly ? "plan" : "tracked",
            runtimeConfig,
            json: options.json ?? false,
          }),
        );
      },
    );
  runs
    .command("list")
    .description("a repository's runs, newest first")
    .argument("<repository>", "OWNER/REPO")
    .option("--stack <stack>", "only this stack's runs")
    .option("--json", "print the runs as JSON")
    .action((repository: string, options: { stack?: string; json?: boolean }) =>
      run((api) =>
        listRunsCommand(api, terminal, {
          repository,
          stack: options.stack,
          json: options.json ?? false,
        }),
      ),
    );
  runs
    .command("logs")
    .description("a run's phase logs; --follow streams them until the run finishes")
    .argument("<run>", "the run's id")
    .option("-f, --follow", "keep printing new lines until the run finishes")
    .option("--json", "one JSON object per line: {stack, phase, line}")
    .action((runId: string, options: { follow?: boolean; json?: boolean }) =>
      run((api) =>
        runLogsCommand(api, terminal, {
          runId,
          follow: options.follow ?? false,
          json: options.json ?? false,
        }),
      ),
    );
  for (const decision of ["confirm", "discard"] as const) {
    runs
      .command(decision)
      .description(
        decision === "confirm"
          ? "approve a run's plan, with the same rules as /apply"
          : "discard a run's plan",
      )
      .argument("<run>", "the run's id")
      .option("--json", "print the answer as JSON")
      .action((runId: string, options: { json?: boolean }) =>
        run((api) =>
          decideRunCommand(api, terminal, { runId, decision, json: options.json ?? false }),
        ),
      );
  }
}
