import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/lib/logger.js";

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  return { lines, stream };
}

describe("createLogger", () => {
  it("censors Bosun's credential-bearing fields and keeps the rest", () => {
    const { lines, stream } = capture();
    const log = createLogger("info", stream);
    log.info(
      {
        token: "ghs_top",
        installation: { id: 42, token: "ghs_nested" },
        config: {
          github: { appId: "123", privateKey: "PEM", webhookSecret: "hook" },
          githubSignIn: { clientId: "Iv1.x", clientSecret: "oauth" },
          database: { kind: "postgres", url: "postgres://bosun:pw@db/bosun" },
        },
        err: {
          request: { headers: { authorization: "token ghs_err" }, url: "https://api.github.com/x" },
        },
        req: { headers: { cookie: "bosun_session=abc", "user-agent": "curl" } },
        webhookSecret: "hook",
      },
      "hello",
    );
    const text = lines.join("");
    for (const secret of [
      "ghs_top",
      "ghs_nested",
      "PEM",
      '"hook"',
      "oauth",
      ":pw@",
      "ghs_err",
      "abc",
    ]) {
      expect(text).not.toContain(secret);
    }
    const entry = JSON.parse(text) as Record<string, unknown>;
    expect(entry).toMatchObject({
      msg: "hello",
      token: "***",
      installation: { id: 42, token: "***" },
      config: {
        github: { appId: "123", privateKey: "***", webhookSecret: "***" },
        githubSignIn: { clientId: "Iv1.x", clientSecret: "***" },
        database: { kind: "postgres", url: "***" },
      },
      err: { request: { headers: { authorization: "***" }, url: "https://api.github.com/x" } },
      req: { headers: { cookie: "***", "user-agent": "curl" } },
      webhookSecret: "***",
    });
  });
});
