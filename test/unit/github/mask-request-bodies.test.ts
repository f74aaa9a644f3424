import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { maskRequestBodies } from "../../../src/github/mask-request-bodies.js";
import { createMasker } from "../../../src/lib/redact.js";

const WEBHOOK_SECRET = "webhook-secret-for-bodies";
const TOKEN = "ghs_installationTokenOfThisTest01";
// Assembled at run time so that no scanner mistakes this file for a leak.
const GITHUB_PAT = "ghp_" + "1234567890abcdefghijABCDEFGHIJ123456";
const AWS_KEY_ID = "AKIA" + "Z7VRSQ5TJN2UVQ3X";
const SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

interface Sent {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

/** An installation client whose requests are recorded instead of sent, masking like Bosun's. */
function client(): { octokit: InstanceType<typeof ProbotOctokit>; sent: Sent[] } {
  const sent: Sent[] = [];
  const masker = createMasker([WEBHOOK_SECRET, TOKEN]);
  const Masking = ProbotOctokit.plugin(maskRequestBodies((lines) => masker.maskLogLines(lines)));
  const octokit = new Masking({
    auth: { token: TOKEN },
    retry: { enabled: false },
    throttle: { enabled: false },
    request: {
      fetch: async (url: string, init: RequestInit) => {
        const headers = new Headers(init.headers);
        sent.push({
          method: init.method ?? "GET",
          url,
          authorization: headers.get("authorization"),
          body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
        });
        return new Response(JSON.stringify({ id: 1 }), {
          status: 201,
          headers: { "content-type": "application/json" },
        });
      },
    },
  });
  return { octokit, sent };
}

const leaked = `a ${GITHUB_PAT}, b ${AWS_KEY_ID}, c ${WEBHOOK_SECRET}, d ${TOKEN}`;

describe("maskRequestBodies", () => {
  it("masks a check run's output, annotations included, and nothing that identifies it", async () => {
    const { octokit, sent } = client();
    await octokit.rest.checks.create({
      owner: "octo",
      repo: "infra",
      name: "bosun/dev",
      head_sha: SHA,
      external_id: "run-1",
      details_url: "https://bosun.example/runs/1?grant=abc",
      status: "completed",
      conclusion: "failure",
      output: {
        title: `title ${GITHUB_PAT}`,
        summary: `summary\n${leaked}\nend`,
        text: leaked,
        annotations: [
          {
            path: "infra/main.tf",
            start_line: 3,
            end_line: 4,
            annotation_level: "warning",
            title: `t ${AWS_KEY_ID}`,
            message: `m ${WEBHOOK_SECRET}`,
          },
        ],
      },
    });
    const [request] = sent;
    expect(request?.url).toBe("https://api.github.com/repos/octo/infra/check-runs");
    // The request's own credential is the installation token Bosun masks everywhere else.
    expect(request?.authorization).toBe(`token ${TOKEN}`);
    expect(request?.body).toEqual({
      name: "bosun/dev",
      head_sha: SHA,
      external_id: "run-1",
      details_url: "https://bosun.example/runs/1?grant=abc",
      status: "completed",
      conclusion: "failure",
      output: {
        title: "title ***",
        summary: "summary\na ***, b ***, c ***, d ***\nend",
        text: "a ***, b ***, c ***, d ***",
        annotations: [
          {
            path: "infra/main.tf",
            start_line: 3,
            end_line: 4,
            annotation_level: "warning",
            title: "t ***",
            message: "m ***",
          },
        ],
      },
    });
  });

  it("masks comments and deployment status descriptions, not their ids and URLs", async () => {
    const { octokit, sent } = client();
    await octokit.rest.issues.createComment({
      owner: "octo",
      repo: "infra",
      issue_number: 7,
      body: `plan failed: ${leaked}`,
    });
    await octokit.rest.issues.updateComment({
      owner: "octo",
      repo: "infra",
      comment_id: 99,
      body: `source https://user:${GITHUB_PAT}@example.com/x`,
    });
    await octokit.rest.repos.createDeploymentStatus({
      owner: "octo",
      repo: "infra",
      deployment_id: 5,
      state: "failure",
      log_url: "https://bosun.example/runs/1",
      description: `failed: ${AWS_KEY_ID}`,
      environment: "dev",
    });
    expect(sent.map((request) => [request.method, request.url, request.body])).toEqual([
      [
        "POST",
        "https://api.github.com/repos/octo/infra/issues/7/comments",
        { body: "plan failed: a ***, b ***, c ***, d ***" },
      ],
      [
        "PATCH",
        "https://api.github.com/repos/octo/infra/issues/comments/99",
        { body: expect.not.stringContaining(GITHUB_PAT) as unknown },
      ],
      [
        "POST",
        "https://api.github.com/repos/octo/infra/deployments/5/statuses",
        {
          state: "failure",
          log_url: "https://bosun.example/runs/1",
          description: "failed: ***",
          environment: "dev",
        },
      ],
    ]);
  });

  it("leaves reads and bodies without text alone", async () => {
    const { octokit, sent } = client();
    await octokit.rest.repos.getContent({
      owner: "octo",
      repo: "infra",
      path: "bosun.yml",
      ref: SHA,
    });
    await octokit.rest.reactions.createForIssueComment({
      owner: "octo",
      repo: "infra",
      comment_id: 99,
      content: "+1",
    });
    expect(sent.map((request) => [request.method, request.url, request.body])).toEqual([
      ["GET", `https://api.github.com/repos/octo/infra/contents/bosun.yml?ref=${SHA}`, undefined],
      [
        "POST",
        "https://api.github.com/repos/octo/infra/issues/comments/99/reactions",
        { content: "+1" },
      ],
    ]);
  });
});
