import { Writable } from "node:stream";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JWKS_PATH } from "../../../src/identity/discovery-document.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { startGithubFake } from "../../helpers/github-fake/index.js";
import { networkStackFiles } from "../../helpers/network-stack.js";
import {
  commentOnPullRequest,
  inRepository,
  networkOnlyYml,
  openedExample,
  PULL_NUMBER,
  stagePullRequest,
  type ScenarioRepository,
} from "../../helpers/pull-request-scenario.js";
import {
  standInWith,
  startInvocationRecorder,
  type EngineInvocation,
} from "../../helpers/stand-in.js";
import { freePort, settled, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

const PLAN_ROLE = "arn:aws:iam::123456789012:role/bosun-plan";
const APPLY_ROLE = "arn:aws:iam::123456789012:role/bosun-apply";
const TENANT = "11111111-2222-4333-8444-555555555555";
const SUBSCRIPTION = "22222222-3333-4444-8555-666666666666";
const PLAN_CLIENT = "33333333-4444-4555-8666-777777777777";
const APPLY_CLIENT = "44444444-5555-4666-8777-888888888888";
const PROVIDER =
  "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/bosun/providers/bosun";
const PLAN_ACCOUNT = "plan@acme-infra.iam.gserviceaccount.com";
const APPLY_ACCOUNT = "apply@acme-infra.iam.gserviceaccount.com";

const withCloud = (cloud: string) =>
  networkOnlyYml.replace(
    "    variables:\n      region: eu-west-1\n",
    `    variables:\n      region: eu-west-1\n    cloud:\n${cloud}`,
  );

/** The tracked branch's roles for dev, on all three clouds (README "Cloud identity"). */
const trackedYml = withCloud(`      aws:
        plan_role_arn: ${PLAN_ROLE}
        apply_role_arn: ${APPLY_ROLE}
      azure:
        tenant_id: ${TENANT}
        subscription_id: ${SUBSCRIPTION}
        plan_client_id: ${PLAN_CLIENT}
        apply_client_id: ${APPLY_CLIENT}
      gcp:
        workload_identity_provider: ${PROVIDER}
        plan_service_account: ${PLAN_ACCOUNT}
        apply_service_account: ${APPLY_ACCOUNT}
`);

/** The pull request's own bosun.yml points its plan at the apply role and client: it must not count. */
const headYml = withCloud(`      aws:
        plan_role_arn: ${APPLY_ROLE}
        apply_role_arn: ${APPLY_ROLE}
      azure:
        tenant_id: ${TENANT}
        subscription_id: ${SUBSCRIPTION}
        plan_client_id: ${APPLY_CLIENT}
        apply_client_id: ${APPLY_CLIENT}
`);

const APPROVER = "octo-approver";

describe("a component with cloud roles in the tracked branch's bosun.yml, sandboxed", () => {
  let bosun: TestBosun;
  let recorder: Awaited<ReturnType<typeof startInvocationRecorder>>;
  let logs = "";
  const repository: ScenarioRepository = { id: 990_001, fullName: "Codertocat/cloud-identity" };

  beforeAll(async () => {
    recorder = await startInvocationRecorder();
    const port = await freePort();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString("utf8");
        done();
      },
    });
    bosun = await startTestBosun("pglite", {
      port,
      env: {
        BOSUN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        BOSUN_TOFU_BIN: await standInWith({
          STANDIN_REPORT_URL: recorder.url,
          // As a provider's debug log would: every token and credential file, printed.
          STANDIN_ECHO_IDENTITY: "1",
        }),
        BOSUN_WORKERS: "2",
        BOSUN_SANDBOX: "required",
      },
      log: pino({ level: "debug" }, sink),
    });
  });
  afterAll(async () => {
    await bosun?.close();
    await recorder?.close();
  });

  it("hands each phase its own role on every cloud, with tokens Bosun's JWKS verifies and nothing shows", async () => {
    const github = await startGithubFake();
    const repo = github.repository(repository.fullName);
    await stagePullRequest(repo, { headFiles: { "bosun.yml": headYml, ...networkStackFiles } });
    repo.files.set("master", { "bosun.yml": trackedYml });
    repo.permissions.set(APPROVER, "write");

    await deliver(bosun.url, "pull_request", inRepository(openedExample, repository));
    await eventually(
      async () => repo.checkRun("bosun/dev")?.conclusion === "action_required" || undefined,
      { timeoutMs: 60_000 },
    );
    await deliver(bosun.url, "issue_comment", commentOnPullRequest(repository, "/apply", APPROVER));
    const check = await eventually(
      async () => {
        const found = repo.checkRun("bosun/dev");
        return found?.conclusion === "success" ? found : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await settled(bosun);
    await github.close();
    github.verify();

    const invocationOf = (command: "plan" | "apply"): EngineInvocation => {
      const found = recorder.invocations.find((invocation) => invocation.argv.includes(command));
      if (!found) throw new Error(`no ${command} was recorded`);
      return found;
    };
    const plan = invocationOf("plan");
    const apply = invocationOf("apply");
    // The tracked branch's roles, though the pull request named the apply role for its plan.
    expect(plan.aws).toMatchObject({ roleArn: PLAN_ROLE });
    expect(apply.aws).toMatchObject({ roleArn: APPLY_ROLE });
    expect(plan.azure).toMatchObject({
      useOidc: "true",
      clientId: PLAN_CLIENT,
      tenantId: TENANT,
      subscriptionId: SUBSCRIPTION,
    });
    expect(apply.azure).toMatchObject({ clientId: APPLY_CLIENT });
    expect(plan.gcp?.credentials).toMatchObject({
      type: "external_account",
      audience: PROVIDER,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      credential_source: { file: plan.gcp?.credentials.credential_source.file },
    });
    expect(plan.gcp?.credentials.service_account_impersonation_url).toContain(PLAN_ACCOUNT);
    expect(apply.gcp?.credentials.service_account_impersonation_url).toContain(APPLY_ACCOUNT);
    // The files live in the phase's own workspace, which the sandbox shows and deletes.
    expect(plan.aws?.tokenFile).toMatch(/\/identity\/aws-token$/);
    expect(plan.aws?.sessionName).toMatch(/^[0-9a-f-]{36}$/);
    expect(apply.aws?.sessionName).toBe(plan.aws?.sessionName);

    const jwks = createRemoteJWKSet(new URL(`${bosun.url}${JWKS_PATH}`));
    const subject = `repo:${repository.fullName}:stack:network:environment:dev:phase:`;
    const opener = (openedExample.sender as { login: string }).login;
    const verify = async (
      token: string | undefined,
      audience: string,
      phase: "plan" | "apply",
    ): Promise<JWTPayload> => {
      const { payload } = await jwtVerify(token ?? "", jwks, {
        issuer: bosun.url,
        audience,
        subject: `${subject}${phase}`,
      });
      expect(payload).toMatchObject({
        repository: repository.fullName,
        repository_id: String(repository.id),
        stack: "network",
        environment: "dev",
        phase,
        run_id: plan.aws?.sessionName,
        run_kind: "proposed",
        ref: `refs/pull/${PULL_NUMBER}/head`,
        // The apply acts on the approver's word: its token names them.
        actor: phase === "apply" ? APPROVER : opener,
      });
      expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(bosun.config.runTimeoutMs / 1000);
      return payload;
    };
    const tokens: string[] = [];
    for (const [phase, invocation] of [
      ["plan", plan],
      ["apply", apply],
    ] as const) {
      await verify(invocation.aws?.token, "sts.amazonaws.com", phase);
      await verify(invocation.azure?.token, "api://AzureADTokenExchange", phase);
      await verify(invocation.gcp?.token, `https:${PROVIDER}`, phase);
      tokens.push(invocation.aws!.token, invocation.azure!.token, invocation.gcp!.token);
    }
    expect(new Set(tokens).size).toBe(6);

    // Everything a person sees: GitHub, the run page, its API and logs, and Bosun's own log.
    const url = new URL(check.details_url!);
    const token = url.searchParams.get("token");
    const runId = url.pathname.split("/").at(-1)!;
    const api = await (await fetch(`${bosun.url}/api/runs/${runId}?token=${token}`)).text();
    const phaseLogs = await (
      await fetch(`${bosun.url}/api/runs/${runId}/logs?token=${token}`)
    ).text();
    const signedIn = await fetch(check.details_url!, { redirect: "manual" });
    const cookie = signedIn.headers.get("set-cookie")?.split(";")[0] ?? "";
    const page = await (await fetch(`${bosun.url}/runs/${runId}`, { headers: { cookie } })).text();
    expect(page).not.toContain("data-unsandboxed");
    expect(api).toContain('"sandbox":"bubblewrap"');
    // The engine did print them: the logs hold the lines, masked.
    expect(phaseLogs).toMatch(/debug: read \S+\/identity\/aws-token: \S/);
    const seen = {
      github: JSON.stringify(github.requests.map((request) => request.body ?? "")),
      runPage: page + api + phaseLogs,
      logs,
    };
    for (const [where, text] of Object.entries(seen)) {
      expect(text.length, where).toBeGreaterThan(0);
      for (const issued of tokens) {
        expect(text.includes(issued), `a token in ${where}`).toBe(false);
        // A token's signature alone would still let it be replayed.
        expect(text.includes(issued.split(".")[2]!), `a token's signature in ${where}`).toBe(false);
      }
    }
  });
});
