import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import { phaseLogLines } from "../../../src/store/schema/index.js";
import { testApp } from "../../helpers/app-credentials.js";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { INSTALLATION_TOKEN, startGithubFake } from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import {
  inRepository,
  networkOnlyYml,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

const CLIENT_SECRET = "oauth-client-secret-0451";
const encryptionKey = generateEncryptionKey().text;
// Assembled at run time so that no scanner mistakes this file for a leak.
const awsKeyId = "AKIA" + "Z7VRSQ5TJN2UVQ3X";
const privateKeyLine = testApp.privateKey.split("\n")[3]!;
const githubPat = "ghp_" + "1234567890abcdefghijABCDEFGHIJ123456";

/**
 * A pull request's own text that Bosun shows without running anything: module sources (scan
 * findings, `remote-module`) and the name of a file the scan cannot parse (`unparsable`).
 */
const leakyHeadFiles: Record<string, string> = {
  "bosun.yml": networkOnlyYml,
  ...networkStackFiles,
  "infra/network/leak.tf": [
    'module "fetched" {',
    `  source = "https://deploy:${githubPat}@git.example.com/modules/x.zip"`,
    "}",
    'module "other" {',
    `  source = "git::https://git.example.com/${awsKeyId}/y.git"`,
    "}",
    "",
  ].join("\n"),
  [`infra/network/${githubPat}-${testApp.webhookSecret}.tf`]: "this is { not HCL\n",
};

/** The page `detailsUrl` leads to, following its one-time link to a session cookie. */
async function runPage(detailsUrl: string): Promise<string> {
  const first = await fetch(detailsUrl, { redirect: "manual" });
  expect(first.status).toBe(303);
  const cookie = first.headers.get("set-cookie")?.split(";")[0] ?? "";
  const page = await fetch(new URL(first.headers.get("location")!, detailsUrl), {
    headers: { cookie },
  });
  expect(page.status).toBe(200);
  return page.text();
}

/**
 * Whatever the engine prints, Bosun's own credentials and well-known credential formats never
 * reach GitHub or the stored log: a stack's code (a provider, an `external` program) can print
 * anything it finds. The engine here prints them in a warning diagnostic, which becomes an
 * annotation on the check run, and in its log.
 */
async function leakyEngine(): Promise<string> {
  const leaked = [
    `installation ${INSTALLATION_TOKEN}`,
    `webhook ${testApp.webhookSecret}`,
    `key line ${privateKeyLine}`,
    `encryption ${encryptionKey}`,
    `oauth ${CLIENT_SECRET}`,
    `aws ${awsKeyId}`,
  ].join("; ");
  const diagnostic = JSON.stringify({
    "@level": "warn",
    "@message": `Warning: ${leaked}`,
    type: "diagnostic",
    diagnostic: {
      severity: "warning",
      summary: `found ${INSTALLATION_TOKEN}`,
      detail: leaked,
      range: {
        filename: "main.tf",
        start: { line: 9, column: 1, byte: 0 },
        end: { line: 9, column: 5, byte: 4 },
      },
    },
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-leaky-"));
  const bin = path.join(dir, "tofu");
  await writeFile(
    bin,
    [
      "#!/bin/sh",
      `export STANDIN_PRINT='${leaked}'`,
      `if [ "$1" = plan ]; then printf '%s\\n' '${diagnostic}'; fi`,
      `exec '${STAND_IN_TOFU}' "$@"`,
      "",
    ].join("\n"),
  );
  await chmod(bin, 0o755);
  // The sandbox starts the engine as another user, who must be able to reach it.
  await chmod(dir, 0o755);
  return bin;
}

describe.each(databaseKinds)("secrets never leave, on %s", (kind) => {
  let bosun: TestBosun;

  beforeAll(async () => {
    const port = await freePort();
    const engine = await leakyEngine();
    bosun = await startTestBosun(kind, {
      port,
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        BOSUN_TOFU_BIN: engine,
        BOSUN_TERRAFORM_BIN: engine,
        BOSUN_ENCRYPTION_KEY: encryptionKey,
        GITHUB_CLIENT_ID: "Iv1.0123456789abcdef",
        GITHUB_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
  });
  afterAll(async () => {
    await bosun?.close();
  });

  it("masks them in diagnostics on the check run, its annotations and the phase logs", async () => {
    const github = await startGithubFake();
    const repository = { id: 790_001, fullName: `Codertocat/masking-${kind}` };
    const repo = github.repository(repository.fullName);
    try {
      await stagePullRequest(repo);
      const { status } = await deliver(
        bosun.url,
        "pull_request",
        inRepository(openedExample, repository),
      );
      expect(status).toBe(200);
      const check = await eventually(
        async () => {
          const run = repo.checkRun("bosun/dev");
          return run?.conclusion ? run : undefined;
        },
        { timeoutMs: 60_000 },
      );
      await settled(bosun);
      const shown = JSON.stringify([check, repo.checkRun("bosun/dev"), repo.commentsOn(2)]);
      expect(shown).toContain("***");
      expect(check.output?.annotations).toEqual([
        expect.objectContaining({ path: "infra/network/main.tf", title: "network@dev: found ***" }),
      ]);

      const logs = (await bosun.database.db.select().from(phaseLogLines))
        .map((row) => row.line)
        .join("\n");
      expect(logs).toContain("installation ***");
      for (const text of [shown, logs]) {
        for (const secret of [
          INSTALLATION_TOKEN,
          testApp.webhookSecret,
          privateKeyLine,
          encryptionKey,
          CLIENT_SECRET,
          awsKeyId,
        ]) {
          expect(text).not.toContain(secret);
        }
      }
    } finally {
      await settled(bosun);
      await github.close();
    }
    github.verify();
  });

  it("masks them in the pull request's own text: scan findings, file names, run pages", async () => {
    const github = await startGithubFake();
    const repository = { id: 790_002, fullName: `Codertocat/masking-text-${kind}` };
    const repo = github.repository(repository.fullName);
    try {
      await stagePullRequest(repo, { headFiles: leakyHeadFiles });
      const { status } = await deliver(
        bosun.url,
        "pull_request",
        inRepository(openedExample, repository),
      );
      expect(status).toBe(200);
      const check = await eventually(
        async () => {
          const run = repo.checkRun("bosun/dev");
          return run?.conclusion ? run : undefined;
        },
        { timeoutMs: 60_000 },
      );
      await settled(bosun);
      const sent = JSON.stringify(repo.requests.map((request) => request.body));
      // The findings are there, with what they leaked masked.
      expect(sent).toContain("remote-module");
      expect(sent).toContain("git::https://git.example.com/***");
      expect(sent).toContain("unparsable `infra/network/***`");

      const detailsUrl = check.details_url!;
      const runId = new URL(detailsUrl).pathname.split("/").at(-1)!;
      const token = new URL(detailsUrl).searchParams.get("token")!;
      const page = await runPage(detailsUrl);
      const api = await (await fetch(`${bosun.url}/api/runs/${runId}?token=${token}`)).text();
      expect(page).toContain("***");
      expect(api).toContain("***");
      for (const text of [sent, page, api]) {
        for (const secret of [githubPat, awsKeyId, testApp.webhookSecret, INSTALLATION_TOKEN]) {
          expect(text).not.toContain(secret);
        }
      }
    } finally {
      await settled(bosun);
      await github.close();
    }
    github.verify();
  });
});
