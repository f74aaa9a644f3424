import { createHash } from "node:crypto";
import { and, asc, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open } from "../../../src/lib/seal.js";
import { readState } from "../../../src/state/read-state.js";
import {
  components,
  phaseLogLines,
  revisions,
  runComponents,
  runs,
  stacks,
  stateLocks,
  stateVersions,
} from "../../../src/store/schema/index.js";
import { createStateRepository } from "../../../src/store/state-repository.js";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  startGithubFake,
  type GithubFake,
  type FakeRepository,
} from "../../helpers/github-fake/index.js";
import {
  commentOnPullRequest,
  HEAD,
  inRepository,
  MERGE_BASE,
  openedExample,
  PULL_NUMBER,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { realTerraform, type RealTerraform } from "../../helpers/real-terraform.js";
import { recordingProxy, type RecordingProxy } from "../../helpers/recording-proxy.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { STAND_IN_TOFU } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";
import { example } from "../../helpers/webhook-examples.js";

/**
 * The suite's one flow through a real engine: the Terraform CLI itself, not the stand-in, planning
 * and applying through the real server, workers and state backend. Only what needs no provider
 * download (terraform_data, variables, locals, functions, outputs, local-exec), since CI machines
 * cannot reach a registry.
 */
const bosunYml = `version: 1
environments:
  dev:
    variables:
      region: eu-west-1
stacks:
  - name: net
    dir: infra/net
    engine: terraform
    environments: [dev]
    var_files: ["env/\${environment}.tfvars"]
    autodeploy: true
`;

const mainTf = `variable "region" {
  type = string
}
variable "name" {
  type    = string
  default = "core"
}
locals {
  label = "\${var.name}-\${var.region}"
}
resource "terraform_data" "net" {
  input = {
    name  = var.name
    label = upper(local.label)
  }
  # Holds the apply, and so the state lock, long enough for the test to see the lock in Bosun.
  provisioner "local-exec" {
    command = "sleep 2"
  }
}
output "net_id" {
  value = terraform_data.net.id
}
output "label" {
  value = terraform_data.net.output.label
}
output "token" {
  value     = sha256(local.label)
  sensitive = true
}
`;

const files = (name: string, main = mainTf): Record<string, string> => ({
  "bosun.yml": bosunYml,
  "infra/net/main.tf": main,
  "infra/net/env/dev.tfvars": `name = "${name}"\n`,
});

const SECOND_PULL = PULL_NUMBER + 1;
const SECOND_HEAD = "4444444444444444444444444444444444444444";
const MERGED = "5555555555555555555555555555555555555555";

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

describe.each(databaseKinds)("a real Terraform CLI through Bosun on %s", (kind) => {
  let terraform: RealTerraform;
  let proxy: RecordingProxy;
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  const repository: ScenarioRepository = {
    id: 900_000 + (kind === "pglite" ? 1 : 2),
    fullName: `Codertocat/real-terraform-${kind}`,
  };

  beforeAll(async () => {
    terraform = await realTerraform();
    // The engine reaches the state backend at BOSUN_PUBLIC_URL: the proxy, which records the
    // requests a real engine makes and Bosun's answers.
    const port = await freePort();
    proxy = await recordingProxy(port);
    bosun = await startTestBosun(kind, {
      port,
      env: {
        BOSUN_PUBLIC_URL: proxy.url,
        BOSUN_TERRAFORM_BIN: terraform.bin,
        BOSUN_TOFU_BIN: STAND_IN_TOFU,
        BOSUN_WORKERS: "2",
      },
    });
    github = await startGithubFake();
    repo = github.repository(repository.fullName);
    repo.permissions.set("Codertocat", "admin");
    repo.files.set("master", { "bosun.yml": bosunYml });
    repo.files.set(MERGE_BASE, { "bosun.yml": bosunYml });
    repo.tarballs.set(MERGE_BASE, await repoTarball(files("dev-core")));
    repo.compare.merge_base_commit.sha = MERGE_BASE;
  });
  afterAll(async () => {
    if (bosun) await settled(bosun);
    await github?.close();
    await bosun?.close();
    await proxy?.close();
    github?.verify();
  });

  const db = () => bosun.database.db;
  const commit = async (sha: string, content: Record<string, string>) => {
    repo.files.set(sha, content);
    repo.tarballs.set(sha, await repoTarball(content));
  };
  const openPullRequest = async (number: number, head: string) => {
    repo.pull.number = number;
    repo.pull.head.sha = head;
    const payload = inRepository(openedExample, repository);
    payload.number = number;
    const pull = payload.pull_request as { number: number; head: { sha: string } };
    pull.number = number;
    pull.head.sha = head;
    const { status } = await deliver(bosun.url, "pull_request", payload);
    expect(status).toBe(200);
  };
  /** The newest `bosun/dev` check run on `sha`, once it has that conclusion. */
  const checkOn = (sha: string, conclusion: string) =>
    eventually(
      async () => {
        const latest = repo.checkRuns
          .filter((run) => run.name === "bosun/dev" && run.head_sha === sha)
          .at(-1);
        return latest?.conclusion === conclusion ? latest : undefined;
      },
      { timeoutMs: 90_000 },
    );
  const componentId = async () => {
    const [row] = await db()
      .select({ id: components.id })
      .from(components)
      .innerJoin(stacks, eq(stacks.id, components.stackId))
      .where(and(eq(stacks.repositoryId, repository.id), eq(stacks.name, "net")));
    if (!row) throw new Error("the component net@dev was never created");
    return row.id;
  };
  const versionsOf = async (component: string) =>
    db()
      .select()
      .from(stateVersions)
      .where(eq(stateVersions.componentId, component))
      .orderBy(asc(stateVersions.serial));
  const latestRevision = async (component: string) => {
    const [revision] = await db()
      .select()
      .from(revisions)
      .where(eq(revisions.componentId, component))
      .orderBy(desc(revisions.finishedAt))
      .limit(1);
    if (!revision) throw new Error("no revision recorded");
    return revision;
  };
  const stateRequests = (component: string) =>
    proxy.requests.filter((request) => request.url.startsWith(`/state/${component}`));

  it("plans a pull request, applies it on /apply, plans a second one as no changes, and deploys a merge", async () => {
    // 1. A pull request, planned by real terraform with a read-only state credential.
    await commit(HEAD, files("dev-core"));
    repo.compare.files = [{ filename: "infra/net/main.tf", status: "modified" }];
    await openPullRequest(PULL_NUMBER, HEAD);
    const planned = await checkOn(HEAD, "action_required");
    expect(planned.output?.title).toBe("1 to add, 0 to change, 0 to destroy");
    expect(planned.actions?.map((action) => action.identifier)).toEqual(["apply", "discard"]);
    const net = await componentId();
    const comment = await eventually(async () =>
      repo.commentsOn(PULL_NUMBER).find((body) => body.includes("terraform_data.net")),
    );
    expect(comment).toContain("net@dev");
    // A plan takes no lock and writes nothing (invariant 5): only reads.
    expect(stateRequests(net).map((request) => `${request.method} ${request.status}`)).toEqual(
      stateRequests(net).map(() => "GET 204"),
    );
    expect(stateRequests(net).length).toBeGreaterThan(0);
    await settled(bosun);

    // /apply by a writer: the engine takes the lock in Bosun, writes its state under it and
    // releases it.
    const requestsBeforeApply = stateRequests(net).length;
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    const held = await eventually(
      async () => (await db().select().from(stateLocks).where(eq(stateLocks.componentId, net)))[0],
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    expect(held.info).toMatchObject({
      ID: held.lockId,
      Operation: "OperationTypeApply",
      Version: terraform.version,
    });
    const applied = await checkOn(HEAD, "success");
    expect(applied.output?.title).toBe("Applied: 1 added, 0 changed, 0 destroyed");
    await settled(bosun);
    expect(await db().select().from(stateLocks).where(eq(stateLocks.componentId, net))).toEqual([]);
    const applyRequests = stateRequests(net)
      .slice(requestsBeforeApply)
      .filter((request) => request.method !== "GET");
    expect(applyRequests).toEqual([
      { method: "LOCK", url: `/state/${net}`, status: 200, lockId: held.lockId },
      {
        method: "POST",
        url: `/state/${net}?ID=${held.lockId}`,
        status: 200,
        lockId: undefined,
      },
      { method: "UNLOCK", url: `/state/${net}`, status: 200, lockId: held.lockId },
    ]);

    const [first, ...others] = await versionsOf(net);
    expect(others).toEqual([]);
    expect(first).toMatchObject({ serial: 1, digest: expect.stringMatching(/^sha256:/) });
    const state = await readState(
      { store: createStateRepository(db()), key: bosun.config.encryptionKey },
      net,
    );
    const stored = JSON.parse(state?.body.toString("utf8") ?? "null") as {
      version: number;
      terraform_version: string;
      serial: number;
      lineage: string;
      resources: { type: string; name: string }[];
    };
    expect(stored).toMatchObject({
      version: 4,
      terraform_version: terraform.version,
      serial: 1,
      lineage: first?.lineage,
      resources: [expect.objectContaining({ type: "terraform_data", name: "net" })],
    });
    const revision = await latestRevision(net);
    expect(revision.stateVersionId).toBe(first?.id);
    expect(revision.commitSha).toBe(HEAD);
    expect(revision.outputs).toEqual({
      net_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      label: "DEV-CORE-EU-WEST-1",
    });
    // A sensitive output is only kept sealed.
    expect(
      JSON.parse(open(bosun.config.encryptionKey, revision.sealedOutputs!, net).toString("utf8")),
    ).toEqual({ token: sha256Hex("dev-core-eu-west-1") });
    expect(repo.deployments.map((d) => d.statuses.map((s) => s.state))).toEqual([
      ["in_progress", "success"],
    ]);

    // 2. A second pull request touching the stack, without changing what it manages.
    await commit(SECOND_HEAD, files("dev-core", `# only a comment\n${mainTf}`));
    await openPullRequest(SECOND_PULL, SECOND_HEAD);
    const unchanged = await checkOn(SECOND_HEAD, "success");
    expect(unchanged.output?.title).toBe("No changes");
    expect(unchanged.actions ?? []).toEqual([]);
    await settled(bosun);
    const [secondRun] = await db()
      .select({ phase: runComponents.phase, saved: runComponents.sealedWorkspace })
      .from(runComponents)
      .innerJoin(runs, eq(runs.id, runComponents.runId))
      .where(and(eq(runs.pullRequestNumber, SECOND_PULL), eq(runs.repositoryId, repository.id)));
    // Nothing to apply: finished from planning, no plan kept for an apply.
    expect(secondRun).toEqual({ phase: "FINISHED", saved: null });
    expect(repo.deployments).toHaveLength(1);
    expect(await versionsOf(net)).toHaveLength(1);

    // 3. A merge to the tracked branch that changes an input: a tracked run, autodeployed.
    await commit(MERGED, files("dev-edge"));
    repo.compare.files = [{ filename: "infra/net/env/dev.tfvars", status: "modified" }];
    const push = structuredClone(
      example("push", (p) => p.ref === "refs/heads/master" && !!p.installation),
    );
    Object.assign(push, { before: HEAD, after: MERGED, forced: false, created: false });
    Object.assign(push.repository as object, {
      id: repository.id,
      full_name: repository.fullName,
      name: repository.fullName.split("/")[1],
    });
    expect((await deliver(bosun.url, "push", push)).status).toBe(200);
    const deployed = await checkOn(MERGED, "success");
    expect(deployed.output?.title).toBe("Applied: 0 added, 1 changed, 0 destroyed");
    await settled(bosun);
    expect(repo.deployments.map((d) => [d.body.ref, d.statuses.map((s) => s.state)])).toEqual([
      [HEAD, ["in_progress", "success"]],
      [MERGED, ["in_progress", "success"]],
    ]);
    const versions = await versionsOf(net);
    expect(versions.map((v) => [v.serial, v.lineage])).toEqual([
      [1, first?.lineage],
      [2, first?.lineage],
    ]);
    const merged = await latestRevision(net);
    expect(merged.commitSha).toBe(MERGED);
    expect(merged.stateVersionId).toBe(versions[1]?.id);
    // Updated in place: the same resource, its new input.
    expect(merged.outputs).toEqual({
      net_id: revision.outputs.net_id,
      label: "DEV-EDGE-EU-WEST-1",
    });
    expect(await db().select().from(stateLocks).where(eq(stateLocks.componentId, net))).toEqual([]);

    // Every run recorded the real engine's version, and the engine only ever got what it asked for.
    const engineVersions = await db()
      .select({ version: runs.engineVersion })
      .from(runs)
      .where(eq(runs.repositoryId, repository.id));
    expect(engineVersions.map((r) => r.version)).toEqual(
      engineVersions.map(() => `Terraform ${terraform.version}`),
    );
    expect(
      stateRequests(net).filter((request) => request.status !== 200 && request.status !== 204),
    ).toEqual([]);
    expect(stateRequests(net).filter((request) => request.method === "LOCK")).toHaveLength(2);

    // The sensitive output, in clear in the real engine's plan JSON and `output -json`, reached
    // no log, comment or check run.
    const secrets = [sha256Hex("dev-core-eu-west-1"), sha256Hex("dev-edge-eu-west-1")];
    const logLines = await db().select({ line: phaseLogLines.line }).from(phaseLogLines);
    expect(logLines.length).toBeGreaterThan(0);
    const shown = [
      ...logLines.map((row) => row.line),
      ...[...repo.comments.values()].map((comment) => comment.body),
      ...repo.checkRuns.map((run) => JSON.stringify(run.history)),
    ].join("\n");
    for (const secret of secrets) expect(shown).not.toContain(secret);
  });
});
