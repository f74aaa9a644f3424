import { createHash } from "node:crypto";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ComponentSpec } from "../../../src/domain/component-spec.js";
import { setSecretCommand } from "../../../src/services/secrets-command.js";
import { createPullRequestRepository } from "../../../src/store/pull-request-repository.js";
import { phaseLogLines, runComponents, runPhases, runs } from "../../../src/store/schema/index.js";
import { createSecretRepository } from "../../../src/store/secret-repository.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { type FakeRepository, startGithubFake } from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import {
  commentOnPullRequest,
  inRepository,
  MERGE_BASE,
  openedExample,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

/** What the stand-in engine reports having received, by variable. */
const WATCHED = ["DB_PASSWORD", "SHARED_TOKEN", "APPLY_TOKEN", "PREVIEW_TOKEN", "FLOW_PROXY_TOKEN"];

/** A host variable the operator passes through to engines (BOSUN_ENGINE_PASSTHROUGH_ENV). */
const PASSED_THROUGH = { name: "FLOW_PROXY_TOKEN", value: "proxy-credential-0451" };

/** The tracked branch's bosun.yml: the network stack in dev and prod. */
const trackedYml = `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
  prod:
    variables:
      region: eu-west-1
stacks:
  - name: network
    dir: infra/network
    environments: [dev, prod]
    var_files: ["env/\${environment}.tfvars"]
`;

/** A pull request's bosun.yml that adds a preview environment to the stack. */
const withPreviewYml = trackedYml
  .replace("stacks:\n", "  preview:\n    variables:\n      region: eu-west-1\nstacks:\n")
  .replace("[dev, prod]", "[dev, prod, preview]");

const digest = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 16);

/**
 * The stand-in engine, wrapped to print, during plan and apply (STANDIN_PRINT), a digest of each
 * watched variable it received or `unset`: the log is masked, a digest is not, and the values
 * themselves never leave the sandbox.
 */
async function reportingEngine(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-env-secrets-"));
  const bin = path.join(dir, "tofu");
  await writeFile(
    bin,
    [
      "#!/bin/sh",
      "report=seen",
      `for name in ${WATCHED.join(" ")}; do`,
      '  if eval "[ -n \\"\\${$name+x}\\" ]"; then',
      '    value=$(eval "printf %s \\"\\$$name\\"" | sha256sum | cut -c1-16)',
      "  else",
      "    value=unset",
      "  fi",
      '  report="$report $name=$value"',
      "done",
      'export STANDIN_PRINT="$report"',
      `exec '${STAND_IN_TOFU}' "$@"`,
      "",
    ].join("\n"),
  );
  await chmod(bin, 0o755);
  // The sandbox starts the engine as another user, who must be able to reach it.
  await chmod(dir, 0o755);
  return bin;
}

/**
 * Secrets per environment through the real server (README "Secrets"): each component receives
 * its own environment's value over the stack-wide one, never another environment's; an
 * environment only the pull request declares receives no stack-wide secret, only what an operator
 * set for it by name; apply-scoped secrets stay out of plans. The engines run in the sandbox, and
 * the operator's passed-through host variable reaches them there.
 */
describe("secrets per environment, from a pull request to the sandboxed engine", () => {
  let bosun: TestBosun;

  beforeAll(async () => {
    // The engine's host variables are the process's own (src/worker/start-worker-side.ts).
    vi.stubEnv(PASSED_THROUGH.name, PASSED_THROUGH.value);
    const port = await freePort();
    bosun = await startTestBosun("pglite", {
      port,
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        BOSUN_TOFU_BIN: await reportingEngine(),
        BOSUN_WORKERS: "2",
        BOSUN_ENGINE_PASSTHROUGH_ENV: PASSED_THROUGH.name,
      },
    });
  });
  afterAll(async () => {
    await bosun?.close();
    vi.unstubAllEnvs();
  });

  /** Bosun knows the repository (as after any webhook), and an operator sets its secrets. */
  const setSecrets = async (repository: ScenarioRepository) => {
    const installation = openedExample.installation as { id: number };
    await createPullRequestRepository(bosun.database.db).upsertRepository({
      id: repository.id,
      installationId: installation.id,
      fullName: repository.fullName,
      defaultBranch: "master",
    });
    const admin = createSecretRepository(bosun.database.db, bosun.config.encryptionKey);
    for (const [stack, name, value, scope] of [
      ["network", "DB_PASSWORD", "stack-wide-password", "both"],
      ["network@dev", "DB_PASSWORD", "dev-password", "both"],
      ["network@prod", "DB_PASSWORD", "prod-password", "both"],
      ["network", "SHARED_TOKEN", "shared-token-value", "both"],
      ["network", "APPLY_TOKEN", "apply-token-value", "apply"],
      ["network@preview", "PREVIEW_TOKEN", "preview-token-value", "plan"],
    ] as const) {
      const result = await setSecretCommand(admin, {
        repository: repository.fullName,
        stack,
        name,
        scope,
        value,
      });
      expect(result.stderr).toBe("");
    }
  };

  /** The pull request's files at its head and merge base, and the tracked branch's bosun.yml. */
  const stage = async (repo: FakeRepository, headYml: string) => {
    const headFiles = {
      "bosun.yml": headYml,
      ...networkStackFiles,
      "infra/network/env/preview.tfvars": `name = "preview-core"\n`,
    };
    await stagePullRequest(repo, { headFiles });
    repo.files.set("master", { "bosun.yml": trackedYml });
    repo.files.set(MERGE_BASE, { "bosun.yml": trackedYml });
    repo.tarballs.set(
      MERGE_BASE,
      await repoTarball({ "bosun.yml": trackedYml, ...networkStackFiles }),
    );
  };

  const concluded = (repo: FakeRepository, environments: readonly string[], conclusion: string) =>
    eventually(
      async () =>
        environments.every((env) => repo.checkRun(`bosun/${env}`)?.conclusion === conclusion) ||
        undefined,
      { timeoutMs: 90_000 },
    );

  /** Per environment, what the engine reported in `phase`, and how the phase was confined. */
  const seen = async (repositoryId: number, phase: "PLANNING" | "APPLYING") => {
    const rows = await bosun.database.db
      .select({ line: phaseLogLines.line, spec: runComponents.spec, sandbox: runPhases.sandbox })
      .from(phaseLogLines)
      .innerJoin(runPhases, eq(phaseLogLines.phaseId, runPhases.id))
      .innerJoin(runComponents, eq(runPhases.runComponentId, runComponents.id))
      .innerJoin(runs, eq(runComponents.runId, runs.id))
      .where(and(eq(runs.repositoryId, repositoryId), eq(runPhases.phase, phase)));
    const byEnvironment: Record<string, { received: Record<string, string>; sandbox: string }> = {};
    for (const row of rows) {
      const report = /seen((?: \w+=\w+)+)/.exec(row.line)?.[1];
      if (!report) continue;
      const received = Object.fromEntries(
        report
          .trim()
          .split(" ")
          .map((pair) => pair.split("=") as [string, string]),
      );
      byEnvironment[(row.spec as ComponentSpec).environment] = {
        received,
        sandbox: row.sandbox ?? "unrecorded",
      };
    }
    return byEnvironment;
  };

  const allLogs = async () =>
    (await bosun.database.db.select({ line: phaseLogLines.line }).from(phaseLogLines))
      .map((row) => row.line)
      .join("\n");

  it("plans dev and prod each with its own value, and applies with the apply-scoped secret", async () => {
    const github = await startGithubFake();
    const repository = { id: 880_001, fullName: "Codertocat/environment-secrets" };
    const repo = github.repository(repository.fullName);
    await setSecrets(repository);
    await stage(repo, trackedYml);

    await deliver(bosun.url, "pull_request", inRepository(openedExample, repository));
    await concluded(repo, ["dev", "prod"], "action_required");
    await settled(bosun);

    const planned = await seen(repository.id, "PLANNING");
    expect(planned).toEqual({
      dev: {
        received: {
          DB_PASSWORD: digest("dev-password"),
          SHARED_TOKEN: digest("shared-token-value"),
          APPLY_TOKEN: "unset",
          PREVIEW_TOKEN: "unset",
          FLOW_PROXY_TOKEN: digest(PASSED_THROUGH.value),
        },
        sandbox: "bubblewrap",
      },
      prod: {
        received: {
          DB_PASSWORD: digest("prod-password"),
          SHARED_TOKEN: digest("shared-token-value"),
          APPLY_TOKEN: "unset",
          PREVIEW_TOKEN: "unset",
          FLOW_PROXY_TOKEN: digest(PASSED_THROUGH.value),
        },
        sandbox: "bubblewrap",
      },
    });

    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply -e dev"));
    await concluded(repo, ["dev"], "success");
    await settled(bosun);
    expect((await seen(repository.id, "APPLYING")).dev?.received).toEqual({
      DB_PASSWORD: digest("dev-password"),
      SHARED_TOKEN: digest("shared-token-value"),
      APPLY_TOKEN: digest("apply-token-value"),
      PREVIEW_TOKEN: "unset",
      FLOW_PROXY_TOKEN: digest(PASSED_THROUGH.value),
    });

    const logs = await allLogs();
    for (const value of ["dev-password", "prod-password", PASSED_THROUGH.value])
      expect(logs).not.toContain(value);
    await github.close();
    github.verify();
  });

  it("gives an environment only the pull request declares no stack-wide secret", async () => {
    const github = await startGithubFake();
    const repository = { id: 880_002, fullName: "Codertocat/environment-secrets-preview" };
    const repo = github.repository(repository.fullName);
    await setSecrets(repository);
    await stage(repo, withPreviewYml);

    await deliver(bosun.url, "pull_request", inRepository(openedExample, repository));
    await concluded(repo, ["dev", "prod", "preview"], "action_required");
    await settled(bosun);

    const planned = await seen(repository.id, "PLANNING");
    expect(planned.preview).toEqual({
      received: {
        // Neither the stack-wide value nor another environment's: preview has none of its own.
        DB_PASSWORD: "unset",
        SHARED_TOKEN: "unset",
        APPLY_TOKEN: "unset",
        // What an operator set for network@preview by name.
        PREVIEW_TOKEN: digest("preview-token-value"),
        FLOW_PROXY_TOKEN: digest(PASSED_THROUGH.value),
      },
      sandbox: "bubblewrap",
    });
    // The environments the tracked branch declares keep theirs in the same pull request.
    expect(planned.dev?.received).toMatchObject({
      DB_PASSWORD: digest("dev-password"),
      SHARED_TOKEN: digest("shared-token-value"),
    });
    expect(planned.prod?.received).toMatchObject({ DB_PASSWORD: digest("prod-password") });
    await github.close();
    github.verify();
  });
});
