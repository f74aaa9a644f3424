import { describe, expect, it } from "vitest";
import { createMasker } from "../../../src/lib/redact.js";
import type {
  ComponentDetail,
  PhaseLog,
  RunPageStore,
} from "../../../src/services/run-page-port.js";
import { maskRunPageStore } from "../../../src/web/run-pages/mask-run-page-store.js";

const WEBHOOK_SECRET = "webhook-secret-of-pages";
// Assembled at run time so that no scanner mistakes this file for a leak.
const GITHUB_PAT = "ghp_" + "1234567890abcdefghijABCDEFGHIJ123456";
const SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const repository = { id: 1, fullName: "octo/infra", installationId: 2, defaultBranch: "main" };

const component: ComponentDetail = {
  id: "c1",
  repository,
  stack: "network",
  environment: "dev",
  dir: "infra/network",
  revisions: [
    {
      id: "r1",
      runId: "run-1",
      commitSha: SHA,
      planDigest: "sha256:abc",
      outputs: {
        endpoint: `https://deploy:${GITHUB_PAT}@git.example.com/x`,
        nested: { hook: `secret ${WEBHOOK_SECRET}`, port: 443 },
      },
      startedAt: new Date(0),
      finishedAt: new Date(1),
      deployed: true,
    },
  ],
};

/** Stored logs are masked as they stream; a page shows them as they are. */
const log: PhaseLog = {
  phaseId: "p1",
  phase: "PLANNING",
  stack: "network",
  lines: [{ at: new Date(0), stream: "stdout", line: `kept ${WEBHOOK_SECRET}` }],
};

function stubStore(): RunPageStore {
  return {
    repository: async () => repository,
    repositoryByName: async () => repository,
    stacks: async () => [],
    stack: async () => undefined,
    run: async () => undefined,
    phaseLog: async () => log,
    runs: async () => ({ rows: [], total: 0, triggerers: [] }),
    component: async () => component,
  };
}

describe("maskRunPageStore", () => {
  const masker = createMasker([WEBHOOK_SECRET]);
  const store = maskRunPageStore(stubStore(), (lines) => masker.maskLogLines(lines));

  it("masks what a page shows of a component: outputs, at any depth", async () => {
    const masked = await store.component("c1");
    expect(masked?.revisions[0]?.outputs).toEqual({
      endpoint: "***",
      nested: { hook: "secret ***", port: 443 },
    });
    // What identifies it and what is not text stays as it is.
    expect(masked?.revisions[0]).toMatchObject({
      commitSha: SHA,
      planDigest: "sha256:abc",
      startedAt: new Date(0),
    });
    expect(masked?.repository).toEqual(repository);
  });

  it("passes absent runs and stored logs through", async () => {
    expect(await store.run("nope")).toBeUndefined();
    expect(await store.phaseLog("run-1", "p1")).toBe(log);
  });
});
