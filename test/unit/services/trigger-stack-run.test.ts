import { describe, expect, it } from "vitest";
import {
  triggerStackRun,
  type TriggerOutcome,
  type TriggerStackRunInput,
} from "../../../src/services/trigger-stack-run.js";
import { componentIdOf } from "../../helpers/ports/component-store.js";
import { fakePorts, type FakePorts } from "../../helpers/ports/plan-deps.js";

const REPOSITORY = { id: 42, fullName: "octo/infra", defaultBranch: "main" };
const HEAD = "a".repeat(40);
const DEPLOYED = "d".repeat(40);

const CONFIG = `version: 1
environments:
  dev:
    variables: { region: eu-west-1, size: 1 }
  prod:
    production: true
stacks:
  - name: network
    dir: infra/network
    environments: [dev, prod]
`;

interface Scenario {
  tracked?: string | undefined;
  head?: string;
  branchExists?: boolean;
  deployed?: boolean;
  input?: Partial<TriggerStackRunInput>;
}

function scenario(options: Scenario = {}): {
  ports: FakePorts;
  trigger: () => Promise<TriggerOutcome>;
} {
  const ports = fakePorts(REPOSITORY.fullName);
  const tracked = "tracked" in options ? options.tracked : CONFIG;
  if (tracked !== undefined) ports.github.withFiles("main", { "bosun.yml": tracked });
  if (options.branchExists !== false) ports.github.branches.set("main", HEAD);
  const head = options.head ?? tracked ?? CONFIG;
  ports.source.withCommit(HEAD, {
    files: { "bosun.yml": head },
    declaredVariables: { "infra/network": ["region", "size"] },
  });
  if (options.deployed) {
    ports.components.deployedCommits.set(componentIdOf("network", "dev"), DEPLOYED);
  }
  const input: TriggerStackRunInput = {
    installationId: 1,
    repository: REPOSITORY,
    stack: "network",
    environment: "dev",
    kind: "tracked",
    actor: { kind: "person", login: "octocat" },
    ...options.input,
  };
  return { ports, trigger: () => triggerStackRun(ports.deps, input) };
}

describe("triggerStackRun: why nothing starts", () => {
  it.each<{ case: string; scenario: Scenario; status: number; reason: RegExp }>([
    {
      case: "no bosun.yml on the tracked branch",
      scenario: { tracked: undefined },
      status: 409,
      reason: /tracked branch main has no bosun\.yml/,
    },
    {
      case: "a tracked bosun.yml that does not parse",
      scenario: { tracked: "version: 1\nstacks: nope\n" },
      status: 409,
      reason: /does not parse/,
    },
    {
      case: "a tracked branch that does not exist",
      scenario: { branchExists: false },
      status: 409,
      reason: /tracked branch main does not exist/,
    },
    {
      case: "an unknown stack",
      scenario: { input: { stack: "dns" } },
      status: 404,
      reason: /no stack dns in bosun\.yml at main; its stacks: network/,
    },
    {
      case: "an environment the stack does not run in",
      scenario: { input: { environment: "staging" } },
      status: 404,
      reason: /stack network does not run in environment staging; it runs in dev, prod/,
    },
    {
      case: "a repository whose default branch no webhook has named yet",
      scenario: { input: { repository: { ...REPOSITORY, defaultBranch: undefined } } },
      status: 409,
      reason: /does not know octo\/infra's default branch yet/,
    },
    {
      case: "a destroy of what was never deployed",
      scenario: { input: { kind: "destroy" } },
      status: 409,
      reason: /nothing of network@dev is deployed to destroy/,
    },
  ])("$case → $status", async ({ scenario: options, status, reason }) => {
    const { ports, trigger } = scenario(options);
    const outcome = await trigger();
    expect(outcome).toMatchObject({ kind: "refused", status });
    expect(outcome.kind === "refused" && outcome.reason).toMatch(reason);
    expect(ports.changesets.opened).toEqual([]);
    expect(ports.queue.sent).toEqual([]);
  });
});

describe("triggerStackRun: what starts", () => {
  it.each(["tracked", "plan"] as const)(
    "%s: a run of the tracked branch's head, no pull request, the plan queued",
    async (kind) => {
      const { ports, trigger } = scenario({ input: { kind } });
      const outcome = await trigger();
      expect(outcome).toMatchObject({ kind: "started" });
      const [opened] = ports.changesets.opened;
      expect(opened).toMatchObject({
        pullRequestNumber: undefined,
        environment: "dev",
        headSha: HEAD,
        run: { kind, commitSha: HEAD, trigger: "manual", triggeredBy: "octocat" },
      });
      expect(opened!.components).toHaveLength(1);
      expect(opened!.components[0]).toMatchObject({
        changeKind: "update",
        phase: "QUEUED",
        spec: { stack: "network", environment: "dev", ref: "refs/heads/main" },
      });
      expect(ports.queue.sent.map((job) => job.name)).toContain("run-component");
    },
  );

  it("destroy: a destroy plan of what is deployed, from the commit it was deployed from", async () => {
    const { ports, trigger } = scenario({ deployed: true, input: { kind: "destroy" } });
    expect(await trigger()).toMatchObject({ kind: "started" });
    expect(ports.changesets.opened[0]).toMatchObject({
      run: { kind: "destroy", commitSha: HEAD },
      components: [{ changeKind: "destroy", spec: { destroy: true, sourceSha: DEPLOYED } }],
    });
  });

  it("applies a runtime config to this run alone and keeps it on the run", async () => {
    const runtimeConfig = {
      variables: { size: 3 },
      env: { TF_LOG: "info" },
      targets: ["aws_vpc.main"],
      skip_apply: true,
    };
    const { ports, trigger } = scenario({ input: { runtimeConfig } });
    await trigger();
    const [opened] = ports.changesets.opened;
    expect(opened!.run.runtimeConfig).toEqual(runtimeConfig);
    expect(opened!.components[0]!.spec).toMatchObject({
      variables: { region: "eu-west-1", size: 3 },
      env: { TF_LOG: "info" },
      targets: ["aws_vpc.main"],
      skipApplying: true,
    });
  });

  it("names a machine user for a run started with an API token", async () => {
    const { ports, trigger } = scenario({
      input: { actor: { kind: "token", tokenId: "t-1", name: "release-bot" } },
    });
    await trigger();
    expect(ports.changesets.opened[0]!.run).toMatchObject({
      triggeredBy: "release-bot (API token)",
      triggeredByTokenId: "t-1",
    });
  });
});
