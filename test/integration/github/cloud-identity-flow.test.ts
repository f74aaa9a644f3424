import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JWKS_PATH } from "../../../src/identity/discovery-document.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { startGithubFake } from "../../helpers/github-fake/index.js";
import {
  commentOnPullRequest,
  inRepository,
  networkOnlyYml,
  openedExample,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import { engineInvocations, standInWith } from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

const PLAN_ROLE = "arn:aws:iam::123456789012:role/bosun-plan";
const APPLY_ROLE = "arn:aws:iam::123456789012:role/bosun-apply";

/** The scenario's bosun.yml with the dev environment's AWS roles (README "Cloud identity"). */
const cloudYml = networkOnlyYml.replace(
  "    variables:\n      region: eu-west-1\n",
  `    variables:\n      region: eu-west-1\n    cloud:\n      aws:\n        plan_role_arn: ${PLAN_ROLE}\n        apply_role_arn: ${APPLY_ROLE}\n`,
);

describe("a component with AWS roles in bosun.yml", () => {
  let bosun: TestBosun;
  let engineLog: string;
  const repository: ScenarioRepository = { id: 990_001, fullName: "Codertocat/cloud-identity" };

  beforeAll(async () => {
    engineLog = path.join(await mkdtemp(path.join(os.tmpdir(), "bosun-cloud-")), "engine.log");
    const port = await freePort();
    bosun = await startTestBosun("pglite", {
      port,
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        BOSUN_TOFU_BIN: await standInWith({ STANDIN_LOG: engineLog }),
        BOSUN_WORKERS: "2",
        // The stand-in's invocation log is outside the workspace: a sandboxed engine cannot write it.
        BOSUN_SANDBOX: "off",
      },
    });
  });
  afterAll(async () => {
    await bosun?.close();
  });

  it("hands the plan the plan role and the apply the apply role, each with a token Bosun's JWKS verifies", async () => {
    const github = await startGithubFake();
    const repo = github.repository(repository.fullName);
    await stagePullRequest(repo);
    // The roles come from the tracked branch only: the head and the merge base name none.
    repo.files.set("master", { "bosun.yml": cloudYml });

    await deliver(bosun.url, "pull_request", inRepository(openedExample, repository));
    await eventually(
      async () => repo.checkRun("bosun/dev")?.conclusion === "action_required" || undefined,
      {
        timeoutMs: 60_000,
      },
    );
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply"));
    await eventually(
      async () => repo.checkRun("bosun/dev")?.conclusion === "success" || undefined,
      {
        timeoutMs: 60_000,
      },
    );
    await settled(bosun);
    await github.close();
    github.verify();

    const invocations = await engineInvocations(engineLog);
    const identityOf = (command: "plan" | "apply") => {
      const found = invocations.find((invocation) => invocation.argv.includes(command));
      if (!found?.aws) throw new Error(`the ${command} was handed no AWS identity`);
      return found.aws;
    };
    const plan = identityOf("plan");
    const apply = identityOf("apply");
    expect(plan.roleArn).toBe(PLAN_ROLE);
    expect(apply.roleArn).toBe(APPLY_ROLE);
    // One run: its id names both sessions.
    expect(plan.sessionName).toMatch(/^[0-9a-f-]{36}$/);
    expect(apply.sessionName).toBe(plan.sessionName);

    const jwks = createRemoteJWKSet(new URL(`${bosun.url}${JWKS_PATH}`));
    const subject = `repo:${repository.fullName}:stack:network:environment:dev:phase:`;
    for (const [phase, identity] of [
      ["plan", plan],
      ["apply", apply],
    ] as const) {
      const { payload } = await jwtVerify(identity.token, jwks, {
        issuer: bosun.url,
        audience: "sts.amazonaws.com",
        subject: `${subject}${phase}`,
      });
      expect(payload.phase).toBe(phase);
      expect(payload.run_id).toBe(plan.sessionName);
      expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(bosun.config.runTimeoutMs / 1000);
      // The token reaches the engine alone: no request Bosun made to GitHub carries it.
      for (const request of github.requests)
        expect(JSON.stringify(request.body ?? "")).not.toContain(identity.token);
    }
    expect(github.requests.length).toBeGreaterThan(0);
  });
});
