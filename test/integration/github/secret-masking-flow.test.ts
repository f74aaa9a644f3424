import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import { phaseLogLines } from "../../../src/store/schema/index.js";
import { testApp } from "../../helpers/app-credentials.js";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { FakeGithubRepo } from "../../helpers/fake-github-repo.js";
import { createGithubFake } from "../../helpers/github-fake.js";
import {
  inRepository,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

/** The token the fake repository issues for the installation (test/helpers/fake-github-repo.ts). */
const INSTALLATION_TOKEN = "ghs_flowtoken";
const CLIENT_SECRET = "oauth-client-secret-0451";
const encryptionKey = generateEncryptionKey().text;
// Assembled at run time so that no scanner mistakes this file for a leak.
const awsKeyId = "AKIA" + "Z7VRSQ5TJN2UVQ3X";
const privateKeyLine = testApp.privateKey.split("\n")[3]!;

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
    const github = createGithubFake();
    const repository = { id: 790_001, fullName: `Codertocat/masking-${kind}` };
    const repo = new FakeGithubRepo(github, repository.fullName);
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
      repo.close();
      github.restore();
    }
  });
});
