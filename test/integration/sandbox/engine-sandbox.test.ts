import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Webhooks } from "@octokit/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApp } from "../../helpers/app-credentials.js";
import { bosunArguments } from "../../helpers/bosun-cli.js";
import { databaseKinds, scratchDatabase, type ScratchDatabase } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { type GithubFake, startGithubFake } from "../../helpers/github-fake/index.js";
import {
  HEAD,
  inRepository,
  MERGE_BASE,
  openedExample,
  PULL_NUMBER,
} from "../../helpers/pull-request-scenario.js";
import { realTerraform } from "../../helpers/real-terraform.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { STAND_IN_SANDBOX_PATHS, STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort } from "../../helpers/test-bosun.js";
import { exposures } from "./exposures.js";
import { bosunYml, standInAttackTf, terraformAttackTf } from "./hostile-stacks.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

const attacks = [
  { name: "the real Terraform CLI", engine: "terraform", tf: terraformAttackTf, id: 1 },
  { name: "the hostile stand-in", engine: "opentofu", tf: standInAttackTf, id: 2 },
] as const;

/**
 * docs/design.md "Trust": a plan runs the pull request's code, which must never see Bosun's
 * processes, environment or data directory. Bosun runs here as an operator runs it (its own
 * process, its credentials in its real environment, where /proc/<pid>/environ shows them), and
 * pull requests whose plans try to read them. With the sandbox nothing of Bosun's reaches GitHub,
 * the run pages or the logs, in any encoding; with BOSUN_SANDBOX=off the same attacks succeed,
 * so the test is not vacuous.
 */
describe.each(databaseKinds)("the engine sandbox on %s", (kind) => {
  describe.each(["auto", "off"] as const)("BOSUN_SANDBOX=%s", (mode) => {
    let scratch: ScratchDatabase;
    let github: GithubFake;
    let bosun: ChildProcess;
    let url: string;
    let logs = "";
    const secrets: Record<string, string> = {};

    beforeAll(async () => {
      scratch = await scratchDatabase(kind, { migrated: true });
      github = await startGithubFake();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      secrets.webhookSecret = `whs-${randomBytes(16).toString("hex")}`;
      secrets.clientSecret = `ocs-${randomBytes(16).toString("hex")}`;
      // A line from the middle of the PEM body: distinctive, and free of escapes in any body.
      secrets.privateKey = testApp.privateKey.split("\n")[5]!;
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? "",
        APP_ID: testApp.appId,
        PRIVATE_KEY: testApp.privateKey,
        WEBHOOK_SECRET: secrets.webhookSecret,
        GITHUB_CLIENT_ID: "Iv1.sandboxtest",
        GITHUB_CLIENT_SECRET: secrets.clientSecret,
        GHE_HOST: github.host,
        GHE_PROTOCOL: "http",
        PORT: String(port),
        BOSUN_PUBLIC_URL: url,
        BOSUN_DATA_DIR: scratch.dataDir,
        BOSUN_TOFU_BIN: STAND_IN_TOFU,
        BOSUN_TERRAFORM_BIN: (await realTerraform()).bin,
        BOSUN_SANDBOX: mode,
        BOSUN_SANDBOX_PATHS: STAND_IN_SANDBOX_PATHS,
        BOSUN_WORKERS: "2",
        LOG_LEVEL: "info",
      };
      if (scratch.url) {
        // Trust authentication ignores it; the engine must still never see it.
        secrets.databasePassword = `dbpw-${randomBytes(16).toString("hex")}`;
        env.DATABASE_URL = scratch.url.replace(
          "postgres://postgres@",
          `postgres://postgres:${secrets.databasePassword}@`,
        );
      }
      bosun = spawn(process.execPath, bosunArguments(["start"]), {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      bosun.stdout?.on("data", (chunk: Buffer) => (logs += chunk.toString("utf8")));
      bosun.stderr?.on("data", (chunk: Buffer) => (logs += chunk.toString("utf8")));
      await eventually(
        async () => {
          if (bosun.exitCode !== null) throw new Error(`bosun exited: ${logs}`);
          const ready = await fetch(`${url}/readyz`).then(
            (r) => r.ok,
            () => false,
          );
          return ready || undefined;
        },
        // Slow machines take a while to open and migrate an embedded database.
        { timeoutMs: 180_000 },
      );
      // Generated at start in the data directory, where a plan must not read it.
      secrets.encryptionKey = (await readFile(`${scratch.dataDir}/encryption-key`, "utf8")).trim();
    }, 240_000);

    afterAll(async () => {
      if (bosun && bosun.exitCode === null) {
        const exited = new Promise((resolve) => bosun.once("exit", resolve));
        bosun.kill("SIGTERM");
        await exited;
      }
      await github?.close();
      await scratch?.drop();
      github?.verify();
    });

    it("/readyz says how engines run", async () => {
      const ready = (await (await fetch(`${url}/readyz`)).json()) as Record<string, unknown>;
      expect(ready.sandbox).toEqual({
        mode,
        engines: mode === "off" ? "none" : "bubblewrap",
      });
    });

    it.each(attacks)(
      "a plan by $name",
      async (attack) => {
        const repository = {
          id: 970_000 + attack.id * 10 + (kind === "pglite" ? 0 : 1) + (mode === "off" ? 4 : 0),
          fullName: `Codertocat/sandbox-${attack.id}-${kind}-${mode}`,
        };
        const repo = github.repository(repository.fullName);
        const files = {
          "bosun.yml": bosunYml(attack.engine),
          "infra/attack/main.tf": attack.tf,
        };
        repo.pull.head.sha = HEAD;
        repo.compare.merge_base_commit.sha = MERGE_BASE;
        repo.compare.files = [{ filename: "infra/attack/main.tf", status: "added" }];
        repo.permissions.set("Codertocat", "admin");
        repo.files.set("master", { "bosun.yml": files["bosun.yml"] });
        repo.files.set(MERGE_BASE, { "bosun.yml": files["bosun.yml"] });
        repo.files.set(HEAD, files);
        repo.tarballs.set(HEAD, await repoTarball(files));
        repo.tarballs.set(MERGE_BASE, await repoTarball({ "bosun.yml": files["bosun.yml"] }));

        const signer = new Webhooks({ secret: secrets.webhookSecret! });
        const payload = JSON.stringify(inRepository(openedExample, repository));
        const opened = await deliver(url, "pull_request", JSON.parse(payload), {
          signature: await signer.sign(payload),
        });
        expect(opened.status).toBe(200);
        const check = await eventually(
          async () => {
            const run = repo.checkRun("bosun/dev");
            return run?.status === "completed" && repo.commentsOn(PULL_NUMBER).length > 0
              ? run
              : undefined;
          },
          { timeoutMs: 240_000 },
        ).catch((error: unknown) => {
          throw new Error(`no report; Bosun's log ends:\n${logs.slice(-6000)}`, { cause: error });
        });

        // The attack ran: its outputs are in the plan.
        const sent = JSON.stringify(repo.requests.map((request) => request.body));
        expect(sent).toMatch(attack.engine === "terraform" ? /stolen_chain/ : /hostile_paths/);

        // Everything a user or operator sees: the run page, its API and logs, Bosun's own logs.
        const token = new URL(check.details_url!).searchParams.get("token");
        const runId = new URL(check.details_url!).pathname.split("/").at(-1)!;
        const api = await (await fetch(`${url}/api/runs/${runId}?token=${token}`)).text();
        const phaseIds = [...api.matchAll(/"id":"([0-9a-f-]{36})","phase"/g)].map((m) => m[1]);
        const pageLogs = await Promise.all(
          phaseIds.map(async (phase) =>
            (await fetch(`${url}/api/runs/${runId}/logs?phase=${phase}&token=${token}`)).text(),
          ),
        );
        const signedIn = await fetch(check.details_url!, { redirect: "manual" });
        const cookie = signedIn.headers.get("set-cookie")?.split(";")[0] ?? "";
        const page = await (await fetch(`${url}/runs/${runId}`, { headers: { cookie } })).text();
        expect(page).toContain("<dt>Sandbox</dt>");

        const seen = {
          github: exposures(sent, secrets),
          runPage: exposures(page + api + pageLogs.join("\n"), secrets),
          logs: exposures(logs, secrets),
        };
        if (mode === "off") {
          expect(page).toContain("data-unsandboxed");
          // The attack works without the sandbox: Bosun's credentials reach the pull request.
          expect(seen.github).toEqual(
            expect.arrayContaining([
              "privateKey",
              "webhookSecret",
              "clientSecret",
              "encryptionKey",
              ...(secrets.databasePassword ? ["databasePassword"] : []),
            ]),
          );
        } else {
          expect(page).not.toContain("data-unsandboxed");
          expect(seen).toEqual({ github: [], runPage: [], logs: [] });
        }
      },
      360_000,
    );
  });
});
