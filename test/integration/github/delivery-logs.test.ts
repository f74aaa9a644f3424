import pino from "pino";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver, eventually } from "../../helpers/deliver.js";
import { startGithubFake } from "../../helpers/github-fake/index.js";
import {
  inRepository,
  openedExample,
  stagePullRequest,
} from "../../helpers/pull-request-scenario.js";
import { settled, startFlowBosun, type TestBosun } from "../../helpers/test-bosun.js";

/** One JSON log line as pino writes it. */
type LogLine = Record<string, unknown> & { msg: string };

/** What a service logs while handling a delivery carries the delivery's id and repository. */
describe.each(databaseKinds)("delivery logs on %s", (kind) => {
  let bosun: TestBosun;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
          lines.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    bosun = await startFlowBosun(kind, { log: pino({ level: "info" }, sink) });
  });
  afterAll(async () => {
    await bosun?.close();
  });

  it("a pull request's plan is logged with the delivery that asked for it", async () => {
    const repository = { id: 760_000, fullName: `Codertocat/logs-${kind}` };
    const github = await startGithubFake();
    const repo = github.repository(repository.fullName);
    try {
      await stagePullRequest(repo);
      const { status, deliveryId } = await deliver(
        bosun.url,
        "pull_request",
        inRepository(openedExample, repository),
      );
      expect(status).toBe(200);
      const started = await eventually(async () =>
        lines.find((line) => line.msg === "proposed runs started"),
      );
      expect(started).toMatchObject({ deliveryId, repo: repository.fullName });
      await settled(bosun);
    } finally {
      await github.close();
    }
    github.verify();
  });
});
