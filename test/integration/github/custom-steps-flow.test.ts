import { and, asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setSecretCommand } from "../../../src/services/secrets-command.js";
import { createPullRequestRepository } from "../../../src/store/pull-request-repository.js";
import { phaseLogLines, runComponents, runPhases, runs } from "../../../src/store/schema/index.js";
import { createSecretRepository } from "../../../src/store/secret-repository.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import {
  type FakeRepository,
  type GithubFake,
  startGithubFake,
} from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import {
  commentOnPullRequest,
  inRepository,
  networkOnlyYml,
  openedExample,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";

const SECRET = "steps-secret-value-7731";

/** What every step prints: the variables it was given, the phase's secret among them. */
const report = (hook: string) =>
  `echo "${hook} phase=$BOSUN_PHASE stack=$BOSUN_STACK env=$BOSUN_ENVIRONMENT secret=$DB_PASSWORD"; test ! -s "$BOSUN_STEP_SUMMARY"`;

/** bosun.yml with one step per hook (`overrides` replace a hook's), as the tracked branch has it. */
function stepsYml(overrides: Record<string, string> = {}): string {
  const hooks = [
    "before_init",
    "after_init",
    "before_plan",
    "after_plan",
    "before_apply",
    "after_apply",
  ];
  const lists = hooks.map(
    (hook) =>
      `  ${hook}:\n${
        overrides[hook] ??
        `    - name: ${hook.replace("_", "-")}\n      run: ${JSON.stringify(report(hook))}\n`
      }`,
  );
  return `${networkOnlyYml}steps:\n${lists.join("")}`;
}

/** An after_plan step that reads the plan and reports in Markdown, leaking the secret. */
const costStep = `    - name: cost
      run: |
        test -s "$BOSUN_PLAN_FILE"
        grep -q '"resource_changes"' "$BOSUN_PLAN_JSON"
        echo "cost for $BOSUN_STACK"
        printf '## Monthly cost\\n\\n| resource | cost |\\n| --- | --- |\\n| null_resource.vpc | $0 |\\n\\nleak %s\\n' "$DB_PASSWORD" >> "$BOSUN_STEP_SUMMARY"
`;

const failing = (onFailure = "fail") =>
  `    - name: boom\n      run: echo "about to fail with $DB_PASSWORD"; exit 3\n      on_failure: ${onFailure}\n`;

/** The page `detailsUrl` leads to, following its one-time link to a session cookie. */
async function runPage(detailsUrl: string): Promise<string> {
  const first = await fetch(detailsUrl, { redirect: "manual" });
  const cookie = first.headers.get("set-cookie")?.split(";")[0] ?? "";
  const page = await fetch(new URL(first.headers.get("location")!, detailsUrl), {
    headers: { cookie },
  });
  expect(page.status).toBe(200);
  return page.text();
}

describe("custom steps around the phases, from a pull request to the sandboxed engine", () => {
  let bosun: TestBosun;
  let github: GithubFake;
  let repo: FakeRepository;
  let repository: ScenarioRepository;

  beforeAll(async () => {
    bosun = await startFlowBosun("pglite");
  });
  afterAll(async () => {
    await bosun?.close();
  });

  let testNumber = 0;
  beforeEach(async () => {
    testNumber += 1;
    repository = { id: 930_000 + testNumber, fullName: `Codertocat/steps-${testNumber}` };
    github = await startGithubFake();
    repo = github.repository(repository.fullName);
  });
  afterEach(async () => {
    await settled(bosun);
    await github.close();
    github.verify();
  });

  /** The tracked branch and the pull request's head both hold `trackedYml` unless `headYml`. */
  const stage = async (trackedYml: string, headYml = trackedYml) => {
    await stagePullRequest(repo, { headFiles: { "bosun.yml": headYml, ...networkStackFiles } });
    repo.files.set("master", { "bosun.yml": trackedYml });
    const installation = openedExample.installation as { id: number };
    await createPullRequestRepository(bosun.database.db).upsertRepository({
      id: repository.id,
      installationId: installation.id,
      fullName: repository.fullName,
      defaultBranch: "master",
    });
    const admin = createSecretRepository(bosun.database.db, bosun.config.encryptionKey);
    const result = await setSecretCommand(admin, {
      repository: repository.fullName,
      stack: "network",
      name: "DB_PASSWORD",
      scope: "both",
      value: SECRET,
    });
    expect(result.stderr).toBe("");
  };
  const open = async () => {
    const { status } = await deliver(
      bosun.url,
      "pull_request",
      inRepository(openedExample, repository),
    );
    expect(status).toBe(200);
  };
  const concluded = (conclusion: string, count = 1) =>
    eventually(
      async () => {
        const checks = repo.checkRuns.filter((run) => run.name === "bosun/dev");
        const last = checks.at(-1);
        return checks.length >= count && last?.conclusion === conclusion ? last : undefined;
      },
      { timeoutMs: 90_000 },
    );
  const apply = async () => {
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
  };

  /** The timeline of the repository's component: engine phases by name, steps as hook:name. */
  const timeline = async () => {
    const rows = await bosun.database.db
      .select({
        id: runPhases.id,
        phase: runPhases.phase,
        step: runPhases.step,
        hook: runPhases.stepHook,
        exitCode: runPhases.exitCode,
        error: runPhases.error,
        sandbox: runPhases.sandbox,
        summary: runPhases.stepSummary,
        failureReason: runComponents.failureReason,
      })
      .from(runPhases)
      .innerJoin(runComponents, eq(runPhases.runComponentId, runComponents.id))
      .innerJoin(runs, eq(runComponents.runId, runs.id))
      .where(eq(runs.repositoryId, repository.id))
      .orderBy(asc(runPhases.startedAt));
    return rows.map((row) => ({
      ...row,
      entry: row.step ? `${row.hook}:${row.step}` : row.phase,
    }));
  };
  const logOf = async (phaseId: string) =>
    (
      await bosun.database.db
        .select({ line: phaseLogLines.line })
        .from(phaseLogLines)
        .where(and(eq(phaseLogLines.phaseId, phaseId)))
        .orderBy(asc(phaseLogLines.id))
    )
      .map((row) => row.line)
      .join("\n");

  it("runs each hook's steps in order around plan and apply, masked, with their summaries shown", async () => {
    await stage(stepsYml({ after_plan: costStep }));
    await open();
    const planned = await concluded("action_required");
    await settled(bosun);

    const afterPlan = await timeline();
    expect(afterPlan.map((row) => row.entry)).toEqual([
      "PREPARING",
      "before_init:before-init",
      "INITIALIZING",
      "after_init:after-init",
      "before_plan:before-plan",
      "PLANNING",
      "after_plan:cost",
    ]);
    // The steps ran in the engine's sandbox.
    expect(new Set(afterPlan.map((row) => row.sandbox))).toEqual(new Set(["bubblewrap"]));
    // Each step has its own timeline entry under the phase it belongs to, and ended with 0.
    expect(afterPlan.filter((row) => row.step).map((row) => [row.phase, row.exitCode])).toEqual([
      ["INITIALIZING", 0],
      ["INITIALIZING", 0],
      ["PLANNING", 0],
      ["PLANNING", 0],
    ]);
    const beforeInit = afterPlan[1]!;
    expect(await logOf(beforeInit.id)).toBe(
      "before_init phase=plan stack=network env=dev secret=***",
    );
    const cost = afterPlan.at(-1)!;
    expect(await logOf(cost.id)).toBe("cost for network");
    expect(cost.summary).toContain("| null_resource.vpc | $0 |");
    expect(cost.summary).toContain("leak ***");

    // The summary on the check run, under the step's name, masked.
    expect(planned.output?.text).toContain("#### Step `cost` (`after_plan`)");
    expect(planned.output?.text).toContain("## Monthly cost");
    expect(planned.output?.text).toContain("leak ***");
    const page = await runPage(planned.details_url!);
    expect(page).toContain("Step cost");
    expect(page).toContain("after_plan");
    expect(page).toContain("| null_resource.vpc | $0 |");

    await apply();
    await concluded("success", 2);
    await settled(bosun);
    const all = await timeline();
    expect(all.slice(afterPlan.length).map((row) => row.entry)).toEqual([
      "PREPARING",
      "before_init:before-init",
      "INITIALIZING",
      "after_init:after-init",
      "before_apply:before-apply",
      "APPLYING",
      "after_apply:after-apply",
    ]);
    expect(await logOf(all.at(-1)!.id)).toBe(
      "after_apply phase=apply stack=network env=dev secret=***",
    );
    const sent = JSON.stringify(repo.requests.map((request) => request.body));
    expect(sent).not.toContain(SECRET);
    expect(JSON.stringify(await timeline())).not.toContain(SECRET);
  });

  it.each(["before_init", "after_init", "before_plan", "after_plan"])(
    "fails the plan when a %s step fails, and offers nothing to apply",
    async (hook) => {
      await stage(stepsYml({ [hook]: failing() }));
      await open();
      const failed = await concluded("failure");
      await settled(bosun);
      const rows = await timeline();
      const boom = rows.find((row) => row.step === "boom")!;
      expect(boom.exitCode).toBe(3);
      expect(boom.error).toBe(`step boom (${hook}) exited with 3`);
      expect(await logOf(boom.id)).toBe("about to fail with ***");
      // Nothing runs after the failing step.
      expect(rows.at(-1)?.entry).toBe(`${hook}:boom`);
      if (hook.startsWith("before_")) {
        const engine = hook === "before_init" ? "INITIALIZING" : "PLANNING";
        expect(rows.map((row) => row.entry)).not.toContain(engine);
      }
      expect(failed.output?.text).toContain(`step boom (${hook}) exited with 3`);
      expect(failed.actions ?? []).toEqual([]);
      expect(rows[0]?.failureReason).toMatch(
        new RegExp(`^step boom \\(${hook}\\) exited with 3: `),
      );
    },
  );

  it("shows an after_plan step that warns, and keeps the plan to apply", async () => {
    await stage(stepsYml({ after_plan: failing("warn") }));
    await open();
    const planned = await concluded("action_required");
    expect(planned.output?.summary).toContain("#### Custom steps");
    expect(planned.output?.summary).toContain(
      "- ⚠️ network@dev: step `boom` (`after_plan`) failed and is set to warn: step boom \\(after\\_plan\\) exited with 3. Autodeploy is held: a person must confirm.",
    );
    expect(planned.actions?.map((action) => action.identifier)).toEqual(["apply", "discard"]);
  });

  it("fails the apply when a before_apply step fails, before the engine applies", async () => {
    await stage(stepsYml({ before_apply: failing() }));
    await open();
    await concluded("action_required");
    await apply();
    const failed = await concluded("failure", 2);
    await settled(bosun);
    const rows = await timeline();
    expect(rows.at(-1)?.entry).toBe("before_apply:boom");
    expect(rows.filter((row) => row.entry === "APPLYING")).toEqual([]);
    expect(failed.output?.text).toContain("the engine's apply did not run");
  });

  it("fails the apply when an after_apply step fails, and says the apply happened", async () => {
    await stage(stepsYml({ after_apply: failing() }));
    await open();
    await concluded("action_required");
    await apply();
    const failed = await concluded("failure", 2);
    await settled(bosun);
    const rows = await timeline();
    expect(rows.slice(-2).map((row) => row.entry)).toEqual(["APPLYING", "after_apply:boom"]);
    expect(rows.at(-2)?.exitCode).toBe(0);
    expect(failed.output?.text).toContain(
      "step boom (after_apply) exited with 3 (after the apply, which was applied)",
    );
  });

  it("cuts a 100 KB summary within GitHub's limits on the check run, whole on the run page", async () => {
    const big = `    - name: big
      run: |
        i=0
        while [ $i -lt 2000 ]; do
          echo "| row $i | a line of a long report, fifty bytes |"
          i=$((i+1))
        done >> "$BOSUN_STEP_SUMMARY"
`;
    await stage(stepsYml({ after_plan: big }));
    await open();
    const planned = await concluded("action_required");
    const text = planned.output?.text ?? "";
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(65_535);
    expect(text).toContain("| row 0 |");
    expect(text).not.toContain("| row 1999 |");
    expect(text).toMatch(/… \d+ more lines of this summary on the run page: http/);
    const stored = (await timeline()).find((row) => row.step === "big")!.summary!;
    expect(Buffer.byteLength(stored)).toBeGreaterThan(100_000);
    expect(stored).toContain("| row 1999 |");
  });

  it("does not run the steps a pull request adds: they take effect once merged", async () => {
    await stage(networkOnlyYml, stepsYml());
    await open();
    const planned = await concluded("action_required");
    await settled(bosun);
    expect((await timeline()).filter((row) => row.step)).toEqual([]);
    expect(planned.output?.summary).toContain(
      "This pull request changes the custom steps of `network`: they take effect once merged. This plan ran the tracked branch's steps.",
    );
  });
});
