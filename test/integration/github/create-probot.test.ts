import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createProbot } from "../../../src/github/create-probot.js";
import { testApp } from "../../helpers/app-credentials.js";
import {
  expectInstallationToken,
  type GithubFake,
  startGithubFake,
} from "../../helpers/github-fake/index.js";
import { TestOctokit } from "../../helpers/test-bosun.js";

describe("createProbot", () => {
  let github: GithubFake;
  afterEach(async () => {
    await github.close();
    github.verify();
  });

  it("talks to the GitHub named by GHE_HOST and GHE_PROTOCOL", async () => {
    github = await startGithubFake("http://ghe.internal:8080/api/v3");
    expectInstallationToken(github, 7);
    github.expect(
      { method: "GET", path: "/repos/acme/infra" },
      { status: 200, body: { id: 1, full_name: "acme/infra" } },
    );
    const probot = createProbot(
      {
        appId: Number(testApp.appId),
        privateKey: testApp.privateKey,
        webhookSecret: testApp.webhookSecret,
        baseUrl: "http://ghe.internal:8080/api/v3",
      },
      pino({ level: "silent" }),
      TestOctokit,
    );
    const octokit = await probot.auth(7);
    const { data } = await octokit.rest.repos.get({ owner: "acme", repo: "infra" });
    expect(data.full_name).toBe("acme/infra");
  });
});
