import { describe, expect, it } from "vitest";
import type { Permission } from "../../../src/services/github-port.js";
import {
  planPullRequest,
  type PlanOutcome,
  type PullRequestTrigger,
} from "../../../src/services/plan-pull-request.js";
import { componentIdOf } from "../../helpers/ports/component-store.js";
import { fakePorts, type FakePorts } from "../../helpers/ports/plan-deps.js";

const REPOSITORY = { id: 42, fullName: "octo/infra", defaultBranch: "main" };
const NUMBER = 7;
const HEAD = "a".repeat(40);
const BASE = "b".repeat(40);
const MERGE_BASE = "c".repeat(40);

/** dev and prod; `app` reads `network`'s `vpc_id` in dev. */
const CONFIG = `version: 1
environments:
  dev: {}
  prod:
    production: true
stacks:
  - name: network
    dir: infra/network
    environments: [dev, prod]
  - name: app
    dir: infra/app
    environments: [dev]
    depends_on:
      - stack: network
        inputs: { vpc_id: vpc_id }
`;
const FORKS_ALLOWED = `${CONFIG}apply:\n  allow_forks: true\n`;
const INVALID = "version: 1\nstacks: nope\n";

interface Scenario {
  /** The tracked branch's bosun.yml; undefined: it has none. */
  tracked?: string | undefined;
  /** The head commit's bosun.yml; undefined: it has none. */
  head?: string | undefined;
  changed?: string[];
  authorPermission?: Permission;
  /** Variables the `app` stack declares at the head. */
  appVariables?: string[];
  trigger?: Partial<PullRequestTrigger>;
}

/** A pull request from `dev` (or a fork) changing `changed` files, on a repository set up as told. */
function scenario(options: Scenario = {}): {
  ports: FakePorts;
  plan: () => Promise<PlanOutcome>;
} {
  const ports = fakePorts(REPOSITORY.fullName);
  const head = "head" in options ? options.head : CONFIG;
  const tracked = "tracked" in options ? options.tracked : CONFIG;
  if (tracked !== undefined) ports.github.withFiles("main", { "bosun.yml": tracked });
  if (head !== undefined) ports.github.withFiles(HEAD, { "bosun.yml": head });
  ports.github.permissions.set("dev", options.authorPermission ?? "write");
  ports.github.comparisons.set(`${BASE}...${HEAD}`, {
    files: (options.changed ?? ["infra/network/main.tf"]).map((filename) => ({
      filename,
      status: "modified",
    })),
    truncated: false,
    behindBy: 0,
    mergeBaseSha: MERGE_BASE,
  });
  const declaredVariables = {
    "infra/network": ["cidr"],
    "infra/app": options.appVariables ?? ["vpc_id"],
  };
  ports.source.withCommit(HEAD, {
    files: head === undefined ? {} : { "bosun.yml": head },
    declaredVariables,
  });
  ports.source.withCommit(MERGE_BASE, { files: { "bosun.yml": CONFIG }, declaredVariables });
  const input: PullRequestTrigger = {
    installationId: 1,
    repository: REPOSITORY,
    number: NUMBER,
    headSha: HEAD,
    baseSha: BASE,
    baseRef: "main",
    author: "dev",
    fork: false,
    trigger: "pull_request",
    triggeredBy: "dev",
    ...options.trigger,
  };
  return { ports, plan: () => planPullRequest(ports.deps, input) };
}

describe("planPullRequest: why nothing is planned", () => {
  it.each<{ case: string; scenario: Scenario; outcome: PlanOutcome }>([
    {
      case: "no bosun.yml on the tracked branch nor at the head",
      scenario: { tracked: undefined, head: undefined },
      outcome: { kind: "no-config" },
    },
    {
      case: "a fork, the tracked branch not allowing forks",
      scenario: { trigger: { fork: true } },
      outcome: { kind: "fork-refused" },
    },
    {
      case: "a fork allowed only by the pull request's own bosun.yml",
      scenario: { head: FORKS_ALLOWED, trigger: { fork: true } },
      outcome: { kind: "fork-refused" },
    },
    {
      case: "a fork and no bosun.yml on the tracked branch (no rule allows it)",
      scenario: { tracked: undefined, trigger: { fork: true } },
      outcome: { kind: "fork-refused" },
    },
    {
      case: "an author with read permission opening it",
      scenario: { authorPermission: "read" },
      outcome: { kind: "awaiting-writer" },
    },
    {
      case: "an author with triage permission opening it",
      scenario: { authorPermission: "triage" },
      outcome: { kind: "awaiting-writer" },
    },
    {
      case: "a change no stack watches",
      scenario: { changed: ["README.md", "docs/infra/network.tf.md"] },
      outcome: { kind: "nothing-affected" },
    },
    {
      case: "/plan -e for an environment bosun.yml does not declare",
      scenario: { trigger: { trigger: "comment", environment: "staging" } },
      outcome: {
        kind: "refused",
        refusal: { kind: "unknown-environment", names: ["staging"], known: ["dev", "prod"] },
      },
    },
    {
      case: "/plan of stacks bosun.yml does not declare",
      scenario: { trigger: { trigger: "comment", stacks: ["dns", "network", "cdn"] } },
      outcome: {
        kind: "refused",
        refusal: { kind: "unknown-stack", names: ["dns", "cdn"], known: ["app", "network"] },
      },
    },
    {
      case: "/plan of a known stack the change does not affect",
      scenario: { trigger: { trigger: "comment", stacks: ["app"] } },
      outcome: { kind: "nothing-affected" },
    },
  ])("$case → $outcome.kind", async ({ scenario: options, outcome }) => {
    const { ports, plan } = scenario(options);
    expect(await plan()).toEqual(outcome);
    expect(ports.changesets.opened).toEqual([]);
    expect(ports.queue.sent).toEqual([]);
  });

  it("answers no-config after one read of the head's bosun.yml, downloading nothing", async () => {
    const { ports, plan } = scenario({ tracked: undefined, head: undefined });
    await plan();
    expect(ports.github.fileReads).toEqual([
      { path: "bosun.yml", ref: "main" },
      { path: "bosun.yml", ref: HEAD },
    ]);
    expect(ports.source.fetched).toEqual([]);
    expect(ports.github.writes()).toBe(0);
    // The pull request is recorded all the same: a later /plan finds it.
    expect(await ports.pullRequests.pullRequest(REPOSITORY.id, NUMBER)).toMatchObject({
      headSha: HEAD,
      author: "dev",
      fork: false,
    });
  });

  it("refuses a fork before its code is downloaded", async () => {
    const { ports, plan } = scenario({ trigger: { fork: true } });
    await plan();
    expect(ports.source.fetched).toEqual([]);
  });

  it.each<{ case: string; scenario: Scenario; notice: string; says: RegExp }>([
    {
      case: "invalid tracked bosun.yml",
      scenario: { tracked: INVALID },
      notice: "tracked-config-invalid",
      says: /the `bosun\.yml` on the tracked branch `main` is invalid/,
    },
    {
      case: "fork refused",
      scenario: { trigger: { fork: true } },
      notice: "fork-not-allowed",
      says: /comes from a fork, and this repository does not allow planning forks/,
    },
    {
      case: "author without write permission",
      scenario: { authorPermission: "read" },
      notice: "awaiting-writer",
      says: /its author, @dev, does not have write permission/,
    },
  ])("posts the $case notice once, however often it is planned", async (row) => {
    const { ports, plan } = scenario(row.scenario);
    const first = await plan();
    const second = await plan();
    expect(second).toEqual(first);
    expect(ports.github.comments).toHaveLength(1);
    expect(ports.github.comments[0]).toMatchObject({ issueNumber: NUMBER });
    expect(ports.github.comments[0]!.body).toMatch(row.says);
    expect(ports.pullRequests.records.get(`${REPOSITORY.id}#${NUMBER}`)?.notices).toEqual([
      row.notice,
    ]);
    expect(ports.github.createdCheckRuns).toEqual([]);
  });

  it("an invalid tracked bosun.yml is a config error, and the head is never read", async () => {
    const { ports, plan } = scenario({ tracked: INVALID });
    expect(await plan()).toEqual({ kind: "config-error" });
    expect(ports.source.fetched).toEqual([]);
  });

  it("a change no stack watches completes a neutral `bosun` check on the head", async () => {
    const { ports, plan } = scenario({ changed: ["README.md"] });
    await plan();
    expect(ports.github.createdCheckRuns).toEqual([
      expect.objectContaining({
        headSha: HEAD,
        name: "bosun",
        externalId: `pr-${NUMBER}`,
        content: expect.objectContaining({
          status: "completed",
          conclusion: "neutral",
          title: "No stacks affected",
          actions: [],
        }),
      }),
    ]);
    expect(ports.github.comments).toEqual([]);
  });
});

describe("planPullRequest: a bad bosun.yml at the head", () => {
  it.each<{ case: string; scenario: Scenario; problem: RegExp; line: number }>([
    {
      case: "it does not parse",
      scenario: { head: INVALID },
      problem: /expected array/,
      line: 2,
    },
    {
      case: "a dependency input the stack does not declare",
      scenario: { appVariables: ["subnet_id"] },
      problem: /input "vpc_id" is not a variable of stack "app": infra\/app declares "subnet_id"/,
      line: 15,
    },
  ])("$case → one failed bosun/config check and the comment", async (row) => {
    const { ports, plan } = scenario(row.scenario);
    expect(await plan()).toEqual({ kind: "config-error" });

    expect(ports.github.createdCheckRuns).toHaveLength(1);
    const [check] = ports.github.createdCheckRuns;
    expect(check).toMatchObject({
      headSha: HEAD,
      name: "bosun/config",
      externalId: `config-${NUMBER}`,
      content: { status: "completed", conclusion: "failure" },
    });
    expect(check!.content.summary).toContain(`\`bosun.yml\`, line ${row.line}`);
    expect(check!.content.annotations).toEqual([
      expect.objectContaining({
        path: "bosun.yml",
        start_line: row.line,
        annotation_level: "failure",
        message: expect.stringMatching(row.problem),
      }),
    ]);
    // The pull request's comment says the same, and is remembered to be updated next time.
    expect(ports.github.comments).toHaveLength(1);
    expect(ports.github.comments[0]!.body).toContain(`\`bosun.yml\`, line ${row.line}`);
    expect(ports.pullRequests.records.get(`${REPOSITORY.id}#${NUMBER}`)?.commentIds).toEqual([
      ports.github.comments[0]!.id,
    ]);
    expect(ports.changesets.opened).toEqual([]);
    expect(ports.queue.sent).toEqual([]);
  });

  it("a second bad push updates the comment instead of posting another", async () => {
    const { ports, plan } = scenario({ head: INVALID });
    await plan();
    await plan();
    expect(ports.github.comments).toHaveLength(1);
    expect(ports.github.commentUpdates).toEqual([
      { commentId: ports.github.comments[0]!.id, body: ports.github.comments[0]!.body },
    ]);
  });
});

describe("planPullRequest: what is planned", () => {
  const network = (environment: string) => componentIdOf("network", environment);
  const app = componentIdOf("app", "dev");

  it.each<{
    case: string;
    scenario: Scenario;
    /** Per environment opened: each component's phase and wave. */
    runs: Record<string, Record<string, { phase: string; wave: number }>>;
    /** Components whose plan is queued now. */
    planned: string[];
  }>([
    {
      case: "network changed: it is planned in dev and prod",
      scenario: {},
      runs: {
        dev: { [network("dev")]: { phase: "QUEUED", wave: 0 } },
        prod: { [network("prod")]: { phase: "QUEUED", wave: 0 } },
      },
      planned: [network("dev"), network("prod")],
    },
    {
      case: "network and app changed: app waits in dev for network's wave",
      scenario: { changed: ["infra/network/main.tf", "infra/app/main.tf"] },
      runs: {
        dev: {
          [network("dev")]: { phase: "QUEUED", wave: 0 },
          [app]: { phase: "DEFERRED", wave: 1 },
        },
        prod: { [network("prod")]: { phase: "QUEUED", wave: 0 } },
      },
      planned: [network("dev"), network("prod")],
    },
    {
      case: "only app changed: it is planned at once (network has no change to wait for)",
      scenario: { changed: ["infra/app/main.tf"] },
      runs: { dev: { [app]: { phase: "QUEUED", wave: 0 } } },
      planned: [app],
    },
    {
      case: "/plan -e prod narrows to prod",
      scenario: { trigger: { trigger: "comment", environment: "prod" } },
      runs: { prod: { [network("prod")]: { phase: "QUEUED", wave: 0 } } },
      planned: [network("prod")],
    },
    {
      case: "/plan network narrows out app",
      scenario: {
        changed: ["infra/network/main.tf", "infra/app/main.tf"],
        trigger: { trigger: "comment", stacks: ["network"], environment: "dev" },
      },
      runs: { dev: { [network("dev")]: { phase: "QUEUED", wave: 0 } } },
      planned: [network("dev")],
    },
    {
      case: "a fork the tracked branch allows",
      scenario: { tracked: FORKS_ALLOWED, trigger: { fork: true } },
      runs: {
        dev: { [network("dev")]: { phase: "QUEUED", wave: 0 } },
        prod: { [network("prod")]: { phase: "QUEUED", wave: 0 } },
      },
      planned: [network("dev"), network("prod")],
    },
    {
      case: "a reader's pull request, planned by a writer's /plan",
      scenario: {
        authorPermission: "read",
        trigger: { trigger: "comment", triggeredBy: "maintainer" },
      },
      runs: {
        dev: { [network("dev")]: { phase: "QUEUED", wave: 0 } },
        prod: { [network("prod")]: { phase: "QUEUED", wave: 0 } },
      },
      planned: [network("dev"), network("prod")],
    },
  ])("$case", async ({ scenario: options, runs, planned }) => {
    const { ports, plan } = scenario(options);
    const outcome = await plan();

    const opened = ports.changesets.opened;
    expect(outcome).toEqual({ kind: "planned", runIds: opened.map((run) => run.runId) });
    expect(
      Object.fromEntries(
        opened.map((run) => [
          run.environment,
          Object.fromEntries(
            run.components.map((c) => [c.componentId, { phase: c.phase, wave: c.wave }]),
          ),
        ]),
      ),
    ).toEqual(runs);
    for (const run of opened) {
      expect(run).toMatchObject({
        repositoryId: REPOSITORY.id,
        pullRequestNumber: NUMBER,
        headSha: HEAD,
        run: {
          kind: "proposed",
          commitSha: HEAD,
          trigger: options.trigger?.trigger ?? "pull_request",
          triggeredBy: options.trigger?.triggeredBy ?? "dev",
        },
      });
    }
    // Each run is reported, and the first wave's plans are queued, one job per component.
    expect(ports.queue.dataOf("report-run")).toEqual(opened.map((run) => ({ runId: run.runId })));
    expect(
      ports.queue.sent
        .filter((job) => job.name === "run-component")
        .map((job) => ({ key: job.options?.singletonKey, data: job.data })),
    ).toEqual(
      planned.map((componentId) => ({
        key: componentId,
        data: {
          runComponentId: `${opened.find((run) => run.components.some((c) => c.componentId === componentId))!.runId}/${componentId}`,
          action: "plan",
        },
      })),
    );
    expect(ports.github.comments).toEqual([]);
  });

  it("fixes each component's spec now, from the head and the tracked branch's rules", async () => {
    const headWithAutodeploy = CONFIG.replace(
      "    dir: infra/network\n",
      "    dir: infra/network\n    autodeploy: true\n",
    );
    const { ports, plan } = scenario({ head: headWithAutodeploy, tracked: CONFIG });
    await plan();
    const prod = ports.changesets.opened.find((run) => run.environment === "prod")!;
    expect(prod.components[0]!.spec).toMatchObject({
      stack: "network",
      environment: "prod",
      dir: "infra/network",
      engine: "opentofu",
      production: true,
      // autodeploy is the tracked branch's to switch on, never the pull request's.
      autodeploy: false,
    });
    expect(prod.baseHeads).toEqual({ [network("prod")]: null });
  });

  it("gives stack-wide secrets only to environments the tracked branch declares for the stack", async () => {
    const withPreview = CONFIG.replace("  dev: {}\n", "  dev: {}\n  preview: {}\n").replace(
      "    environments: [dev, prod]\n",
      "    environments: [dev, prod, preview]\n",
    );
    const { ports, plan } = scenario({ head: withPreview, tracked: CONFIG });
    await plan();
    const flags = Object.fromEntries(
      ports.changesets.opened.map((run) => [
        run.environment,
        run.components.map((component) => component.spec.stackWideSecrets),
      ]),
    );
    expect(flags).toEqual({ dev: [true], prod: [true], preview: [false] });
  });

  it("gives no stack-wide secrets while the tracked branch has no bosun.yml", async () => {
    const { ports, plan } = scenario({ tracked: undefined });
    await plan();
    const flags = ports.changesets.opened.flatMap((run) =>
      run.components.map((component) => component.spec.stackWideSecrets),
    );
    expect(flags).toEqual([false, false]);
  });

  it("re-planning supersedes the previous runs, whose reports are refreshed", async () => {
    const { ports, plan } = scenario();
    const first = await plan();
    const second = await plan();
    expect(first).toEqual({ kind: "planned", runIds: ["run-1", "run-2"] });
    expect(second).toEqual({ kind: "planned", runIds: ["run-3", "run-4"] });
    expect(ports.queue.dataOf("report-run").slice(2)).toEqual([
      { runId: "run-1" },
      { runId: "run-3" },
      { runId: "run-2" },
      { runId: "run-4" },
    ]);
  });

  it("reads the bosun.yml of both commits from their archives, not from GitHub", async () => {
    const { ports, plan } = scenario();
    await plan();
    expect(ports.source.inspected).toEqual([
      { sha: HEAD, configFile: "bosun.yml", stackDirs: ["infra/network", "infra/app"] },
      { sha: MERGE_BASE, configFile: "bosun.yml", stackDirs: ["infra/network", "infra/app"] },
    ]);
    expect(ports.github.fileReads).toEqual([{ path: "bosun.yml", ref: "main" }]);
  });

  it("an archive refused as hostile: its bosun.yml is read from GitHub instead", async () => {
    const { ports, plan } = scenario();
    ports.source.withCommit(HEAD, { files: {}, refused: true });
    expect(await plan()).toMatchObject({ kind: "planned" });
    expect(ports.github.fileReads).toContainEqual({ path: "bosun.yml", ref: HEAD });
  });
});
