import { describe, expect, it } from "vitest";
import { HELP_TEXT } from "../../../src/domain/command-help.js";
import { renderHelp } from "../../../src/render/command-reply.js";
import type { Permission, PullRequestState } from "../../../src/services/github-port.js";
import {
  handlePullRequestComment,
  type CommandOutcome,
  type CommentInput,
} from "../../../src/services/handle-command.js";
import { componentIdOf } from "../../helpers/ports/component-store.js";
import { fakePorts, type FakePorts } from "../../helpers/ports/plan-deps.js";
import { runComponent, runView } from "../../helpers/ports/run-views.js";

const REPOSITORY = { id: 42, fullName: "octo/infra", defaultBranch: "main" };
const NUMBER = 7;
const COMMENT_ID = 314;
const HEAD = "a".repeat(40);
const BASE = "b".repeat(40);
const MERGE_BASE = "c".repeat(40);
const CONFIG = `version: 1
environments:
  dev: {}
stacks:
  - name: network
    dir: infra/network
    environments: [dev]
`;

interface World {
  /** Who is who on the repository; anyone else has no permission ("none"). */
  permissions?: Record<string, Permission>;
  pullRequest?: Partial<PullRequestState>;
  /** Bosun last recorded the pull request's head at `recordedHead`, at `recordedAt`. */
  recordedHead?: string;
  recordedAt?: string;
}

/**
 * Pull request #7 by `author` (a writer unless told), open at HEAD, its bosun.yml planning
 * `network` in dev; Bosun has recorded that head before any comment below was written.
 */
async function world(options: World = {}): Promise<FakePorts> {
  const ports = fakePorts(REPOSITORY.fullName);
  const permissions: Record<string, Permission> = options.permissions ?? {
    author: "write",
    writer: "write",
    reader: "read",
  };
  for (const [user, permission] of Object.entries(permissions))
    ports.github.permissions.set(user, permission);
  ports.github.withFiles("main", { "bosun.yml": CONFIG });
  ports.github.pullRequests.set(NUMBER, {
    number: NUMBER,
    headSha: HEAD,
    baseSha: BASE,
    baseRef: "main",
    state: "open",
    merged: false,
    mergeableState: "clean",
    author: "author",
    fork: false,
    ...options.pullRequest,
  });
  ports.github.comparisons.set(`${BASE}...${HEAD}`, {
    files: [{ filename: "infra/network/main.tf", status: "modified" }],
    truncated: false,
    behindBy: 0,
    mergeBaseSha: MERGE_BASE,
  });
  ports.source.withCommit(HEAD, { files: { "bosun.yml": CONFIG } });
  ports.source.withCommit(MERGE_BASE, { files: { "bosun.yml": CONFIG } });
  ports.pullRequests.now = new Date(options.recordedAt ?? "2024-05-01T11:00:00Z");
  await ports.pullRequests.upsertPullRequest({
    repositoryId: REPOSITORY.id,
    number: NUMBER,
    headSha: options.recordedHead ?? HEAD,
    baseRef: "main",
    author: "author",
    fork: false,
  });
  return ports;
}

function comment(body: string, actor: string): CommentInput {
  return {
    installationId: 1,
    repository: REPOSITORY,
    number: NUMBER,
    commentId: COMMENT_ID,
    body,
    actor,
    createdAt: "2024-05-01T12:00:00Z",
  };
}

/** The reactions on the command's comment, in order. */
const reactionsOn = (ports: FakePorts) =>
  ports.github.reactions.map(({ commentId, reaction }) => {
    expect(commentId).toBe(COMMENT_ID);
    return reaction;
  });

describe("handlePullRequestComment: reading the command", () => {
  it("a comment that is no command is ignored without a word to GitHub", async () => {
    const ports = await world();
    const body = "Looks good to me.\n/apply";
    expect(await handlePullRequestComment(ports.deps, comment(body, "writer"))).toBe("ignored");
    expect(ports.github.writes()).toBe(0);
  });

  it.each<{ case: string; body: string; says: RegExp }>([
    { case: "an unknown command", body: "/deploy", says: /unknown command `\/deploy`/ },
    { case: "an unknown flag", body: "/plan -x", says: /unknown flag `-x`/ },
    {
      case: "-e without an environment",
      body: "/apply -e",
      says: /`-e` needs an environment name/,
    },
    {
      case: "/destroy without -e",
      body: "/destroy network",
      says: /`\/destroy` needs an environment/,
    },
    {
      case: "a stack name Bosun never accepts",
      body: "/plan Net$work",
      says: /`Net\$work` is not a stack name/,
    },
  ])("$case: a reply with the help, and a confused reaction", async ({ body, says }) => {
    const ports = await world();
    expect(await handlePullRequestComment(ports.deps, comment(body, "writer"))).toBe("refused");
    expect(reactionsOn(ports)).toEqual(["eyes", "confused"]);
    expect(ports.github.comments).toHaveLength(1);
    const reply = ports.github.comments[0]!;
    expect(reply.issueNumber).toBe(NUMBER);
    expect(reply.body).toMatch(/^@writer \*\*Could not read that command:\*\*/);
    expect(reply.body).toMatch(says);
    expect(reply.body).toContain(renderHelp(HELP_TEXT));
    expect(ports.queue.sent).toEqual([]);
  });

  it("/help replies with the commands, and no confused reaction", async () => {
    const ports = await world();
    expect(await handlePullRequestComment(ports.deps, comment("/help", "reader"))).toBe("done");
    expect(reactionsOn(ports)).toEqual(["eyes"]);
    expect(ports.github.comments.map((reply) => reply.body)).toEqual([renderHelp(HELP_TEXT)]);
  });
});

describe("handlePullRequestComment: who may do what", () => {
  it.each<{
    case: string;
    body: string;
    actor: string;
    world?: World;
    command: string;
  }>([
    { case: "/apply by a reader", body: "/apply", actor: "reader", command: "/apply" },
    {
      case: "/apply by a user with no role at all",
      body: "/apply",
      actor: "stranger",
      command: "/apply",
    },
    { case: "/discard by a reader", body: "/discard", actor: "reader", command: "/discard" },
    {
      case: "/destroy by a reader",
      body: "/destroy network -e dev",
      actor: "reader",
      command: "/destroy",
    },
    {
      case: "/plan by a reader, of a pull request whose author cannot write",
      body: "/plan",
      actor: "reader",
      world: { permissions: { author: "read", reader: "read" } },
      command: "/plan",
    },
    {
      case: "/plan by a reader, of a fork's pull request",
      body: "/plan",
      actor: "reader",
      world: { pullRequest: { fork: true } },
      command: "/plan",
    },
  ])("$case is refused, and nothing changes", async (row) => {
    const ports = await world(row.world);
    ports.runViews.add(runView("run-1", [runComponent("run-1", "network", "UNCONFIRMED")]));

    const outcome: CommandOutcome = await handlePullRequestComment(
      ports.deps,
      comment(row.body, row.actor),
    );

    expect(outcome).toBe("refused");
    expect(reactionsOn(ports)).toEqual(["eyes", "confused"]);
    expect(ports.github.comments.map((reply) => reply.body)).toEqual([
      expect.stringMatching(
        new RegExp(`^@${row.actor} .*${row.command.replace("/", "\\/")}.*write`, "s"),
      ),
    ]);
    expect(ports.runTransitions.requested).toEqual([]);
    expect(ports.runViews.stored("run-1")!.components[0]!.phase).toBe("UNCONFIRMED");
    expect(ports.changesets.opened).toEqual([]);
    expect(ports.queue.sent).toEqual([]);
    expect(ports.github.deployments).toEqual([]);
  });

  it("/plan by a reader of a writer's own pull request plans it, on the reader's word", async () => {
    const ports = await world();
    expect(await handlePullRequestComment(ports.deps, comment("/plan", "reader"))).toBe("done");
    expect(reactionsOn(ports)).toEqual(["eyes", "+1"]);
    expect(ports.changesets.opened).toEqual([
      expect.objectContaining({
        environment: "dev",
        run: expect.objectContaining({ trigger: "comment", triggeredBy: "reader" }),
      }),
    ]);
    expect(ports.queue.dataOf("run-component")).toEqual([
      { runComponentId: `run-1/${componentIdOf("network", "dev")}`, action: "plan" },
    ]);
  });

  it.each<{ case: string; world: World; planned: boolean }>([
    { case: "the head Bosun recorded before the comment", world: {}, planned: true },
    {
      case: "a head GitHub has that Bosun has not recorded",
      world: { recordedHead: "d".repeat(40) },
      planned: false,
    },
    {
      case: "a head Bosun recorded after the comment was written",
      world: { recordedAt: "2024-05-01T12:00:01Z" },
      planned: false,
    },
  ])("a writer's /plan of a reader's pull request at $case", async (row) => {
    const ports = await world({
      ...row.world,
      permissions: { author: "read", writer: "write" },
    });
    const outcome = await handlePullRequestComment(ports.deps, comment("/plan", "writer"));
    expect(outcome).toBe(row.planned ? "done" : "refused");
    expect(ports.changesets.opened).toHaveLength(row.planned ? 1 : 0);
    if (!row.planned) {
      expect(ports.github.comments[0]!.body).toMatch(
        /^@writer \*\*Not planned:\*\* the pull request's head moved to `aaaaaaa`/,
      );
    }
  });

  it("/plan of a closed pull request is refused: nothing to plan", async () => {
    const ports = await world({ pullRequest: { state: "closed" } });
    expect(await handlePullRequestComment(ports.deps, comment("/plan", "writer"))).toBe("refused");
    expect(ports.github.comments[0]!.body).toMatch(/^@writer \*\*Nothing to apply:\*\*/);
    expect(ports.changesets.opened).toEqual([]);
  });

  it("/plan naming an unknown stack is refused with the stacks there are", async () => {
    const ports = await world();
    expect(await handlePullRequestComment(ports.deps, comment("/plan dns", "writer"))).toBe(
      "refused",
    );
    expect(ports.github.comments[0]!.body).toMatch(/`dns`/);
    expect(ports.github.comments[0]!.body).toMatch(/`network`/);
    expect(ports.changesets.opened).toEqual([]);
  });
});

describe("handlePullRequestComment: /apply and /discard by a writer", () => {
  it("/apply confirms the waiting plan, opens a deployment and queues the apply", async () => {
    const ports = await world();
    ports.runViews.add(
      runView("run-1", [runComponent("run-1", "network", "UNCONFIRMED")], {
        checkRunId: 1234,
        commitSha: HEAD,
      }),
    );

    expect(await handlePullRequestComment(ports.deps, comment("/apply", "writer"))).toBe("done");

    expect(reactionsOn(ports)).toEqual(["eyes", "rocket"]);
    expect(ports.runTransitions.requested).toEqual([
      {
        kind: "confirm",
        runId: "run-1",
        runComponentIds: ["run-1/network"],
        actor: "writer",
        cause: "confirmed by comment",
      },
    ]);
    expect(ports.github.deployments).toEqual([
      expect.objectContaining({
        input: expect.objectContaining({
          ref: HEAD,
          environment: "dev",
          payload: { runId: "run-1", components: ["network"] },
        }),
      }),
    ]);
    expect(ports.github.deploymentStatuses.map((status) => status.state)).toEqual(["in_progress"]);
    // The check run that asked for approval stops offering Apply; the apply shows on a new one.
    expect(ports.github.checkRunUpdates).toEqual([
      {
        checkRunId: 1234,
        content: expect.objectContaining({ title: "Confirmed: applying", actions: [] }),
      },
    ]);
    expect(ports.github.createdCheckRuns.map((check) => check.name)).toEqual(["bosun/dev"]);
    expect(ports.queue.sent.map(({ name, data }) => ({ name, data }))).toEqual([
      { name: "run-component", data: { runComponentId: "run-1/network", action: "apply" } },
      { name: "report-run", data: { runId: "run-1" } },
      // Notifications follow every report, on their own queue.
      { name: "notify-run", data: { runId: "run-1" } },
    ]);
    expect(ports.github.comments).toEqual([]);
  });

  it.each<{ case: string; phase: "PLANNING" | "FAILED" | "FINISHED"; says: RegExp }>([
    { case: "still planning", phase: "PLANNING", says: /still being planned/ },
    { case: "its plan failed", phase: "FAILED", says: /failed, so there is no complete plan/ },
    { case: "nothing waits for approval", phase: "FINISHED", says: /Nothing to apply/ },
  ])("/apply when $case is refused, nothing confirmed", async ({ phase, says }) => {
    const ports = await world();
    ports.runViews.add(
      runView("run-1", [runComponent("run-1", "network", phase)], { commitSha: HEAD }),
    );
    expect(await handlePullRequestComment(ports.deps, comment("/apply", "writer"))).toBe("refused");
    expect(ports.github.comments[0]!.body).toMatch(says);
    expect(ports.runTransitions.requested).toEqual([]);
    expect(ports.queue.sent).toEqual([]);
  });

  it("/discard discards what waits, and refreshes the run's report", async () => {
    const ports = await world();
    ports.runViews.add(runView("run-1", [runComponent("run-1", "network", "UNCONFIRMED")]));
    expect(await handlePullRequestComment(ports.deps, comment("/discard", "writer"))).toBe("done");
    expect(reactionsOn(ports)).toEqual(["eyes", "+1"]);
    expect(ports.runTransitions.requested).toEqual([
      { kind: "discard", runId: "run-1", actor: "writer", cause: "discarded by /discard" },
    ]);
    expect(ports.runViews.stored("run-1")!.components[0]!.phase).toBe("DISCARDED");
    expect(ports.queue.dataOf("report-run")).toEqual([{ runId: "run-1" }]);
  });
});

describe("handlePullRequestComment: /destroy by a writer", () => {
  it.each<{ case: string; body: string; says: RegExp }>([
    {
      case: "a stack the tracked branch does not declare",
      body: "/destroy dns -e dev",
      says: /`dns`/,
    },
    {
      case: "an environment the stack is not deployed to",
      body: "/destroy network -e prod",
      says: /`prod`/,
    },
    {
      case: "a stack never applied in that environment",
      body: "/destroy network -e dev",
      says: /Nothing to apply/,
    },
  ])("$case is refused, and no run opened", async ({ body, says }) => {
    const ports = await world();
    expect(await handlePullRequestComment(ports.deps, comment(body, "writer"))).toBe("refused");
    expect(ports.github.comments.map((reply) => reply.body)).toEqual([expect.stringMatching(says)]);
    expect(ports.changesets.opened).toEqual([]);
    expect(ports.queue.sent).toEqual([]);
  });

  it("opens a destroy run of what is deployed, with the config it was deployed from", async () => {
    const ports = await world();
    const deployedFrom = "e".repeat(40);
    ports.components.deployedCommits.set(componentIdOf("network", "dev"), deployedFrom);

    expect(
      await handlePullRequestComment(ports.deps, comment("/destroy network -e dev", "writer")),
    ).toBe("done");

    expect(reactionsOn(ports)).toEqual(["eyes", "+1"]);
    expect(ports.changesets.opened).toHaveLength(1);
    const [opened] = ports.changesets.opened;
    expect(opened).toMatchObject({
      environment: "dev",
      pullRequestNumber: NUMBER,
      run: { kind: "destroy", commitSha: HEAD, trigger: "comment", triggeredBy: "writer" },
    });
    expect(opened!.components).toEqual([
      expect.objectContaining({
        componentId: componentIdOf("network", "dev"),
        changeKind: "destroy",
        phase: "QUEUED",
        spec: expect.objectContaining({ destroy: true, sourceSha: deployedFrom }),
      }),
    ]);
    expect(ports.queue.dataOf("run-component")).toEqual([
      { runComponentId: `run-1/${componentIdOf("network", "dev")}`, action: "plan" },
    ]);
  });
});
