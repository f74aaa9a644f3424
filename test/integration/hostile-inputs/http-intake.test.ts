import http from "node:http";
import net from "node:net";
import { createHmac, randomUUID } from "node:crypto";
import { Webhooks } from "@octokit/webhooks";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testApp } from "../../helpers/app-credentials.js";
import { databaseKinds } from "../../helpers/databases.js";
import { deliver } from "../../helpers/deliver.js";
import { startGithubFake } from "../../helpers/github-fake/index.js";
import { example } from "../../helpers/webhook-examples.js";
import {
  deliveryRecord,
  expectStillUp,
  finalDelivery,
  HostileRepo,
  rows,
  startHostileBosun,
  type HostileBosun,
} from "./hostile-harness.js";

/**
 * Hostile requests at the webhook endpoint itself: each is refused before anything is stored,
 * with a status GitHub's delivery log shows and a body that says what was wrong; or, when it is
 * well-formed enough to be accepted, it ends with a final status and the reason.
 */

/** GitHub's X-Hub-Signature-256 of any body, the empty one included. */
const sign = (body: string) =>
  `sha256=${createHmac("sha256", testApp.webhookSecret).update(body).digest("hex")}`;
const impostor = new Webhooks({ secret: "not-the-webhook-secret" });
const pullRequestOpened = example("pull_request", (p) => p.action === "opened" && !!p.installation);

interface RawRequest {
  body: string;
  /** Headers GitHub sends, overridden (or removed with undefined) by the case. */
  headers?: Record<string, string | undefined>;
  /** Sign the body with the webhook secret unless a signature header is given. */
  sign?: boolean;
  method?: string;
}

async function post(url: string, request: RawRequest) {
  const deliveryId = randomUUID();
  const headers: Record<string, string | undefined> = {
    "content-type": "application/json",
    "x-github-event": "pull_request",
    "x-github-delivery": deliveryId,
    "x-hub-signature-256": request.sign === false ? undefined : sign(request.body),
    "user-agent": "GitHub-Hookshot/test",
    ...request.headers,
  };
  const sent = Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const response = await fetch(`${url}/api/github/webhooks`, {
    method: request.method ?? "POST",
    headers: sent,
    ...(request.method === "GET" ? {} : { body: request.body }),
  });
  return {
    status: response.status,
    body: await response.text(),
    deliveryId: sent["x-github-delivery"] ?? deliveryId,
  };
}

interface RefusedCase {
  name: string;
  request: () => Promise<RawRequest>;
  status: number;
  /** What the answer's body must say. */
  says: RegExp;
}

const json = (value: unknown) => JSON.stringify(value);
const withoutInstallation = () => {
  const payload = structuredClone(pullRequestOpened);
  delete payload.installation;
  return payload;
};

const refusedCases: RefusedCase[] = [
  {
    name: "a signature of zeros",
    request: async () => ({
      body: json(pullRequestOpened),
      headers: { "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
    }),
    status: 400,
    says: /signature does not match/,
  },
  {
    name: "a signature made with another secret",
    request: async () => ({
      body: json(pullRequestOpened),
      headers: { "x-hub-signature-256": await impostor.sign(json(pullRequestOpened)) },
    }),
    status: 400,
    says: /signature does not match/,
  },
  {
    name: "a valid signature of another body (a tampered payload)",
    request: async () => {
      const tampered = structuredClone(pullRequestOpened);
      (tampered.sender as { login: string }).login = "mallory";
      return {
        body: json(tampered),
        headers: { "x-hub-signature-256": sign(json(pullRequestOpened)) },
      };
    },
    status: 400,
    says: /signature does not match/,
  },
  {
    name: "a signature that is not hex",
    request: async () => ({
      body: json(pullRequestOpened),
      headers: { "x-hub-signature-256": "sha256=$(curl evil.example)" },
    }),
    status: 400,
    says: /signature does not match/,
  },
  {
    name: "only the SHA-1 signature GitHub also sends",
    request: async () => ({
      body: json(pullRequestOpened),
      sign: false,
      headers: { "x-hub-signature": `sha1=${"0".repeat(40)}` },
    }),
    status: 400,
    says: /Required headers missing: x-hub-signature-256/,
  },
  {
    name: "no signature at all",
    request: async () => ({ body: json(pullRequestOpened), sign: false }),
    status: 400,
    says: /Required headers missing: x-hub-signature-256/,
  },
  {
    name: "no X-GitHub-Event header",
    request: async () => ({
      body: json(pullRequestOpened),
      headers: { "x-github-event": undefined },
    }),
    status: 400,
    says: /Required headers missing: x-github-event/,
  },
  {
    name: "no X-GitHub-Delivery header",
    request: async () => ({
      body: json(pullRequestOpened),
      headers: { "x-github-delivery": undefined },
    }),
    status: 400,
    says: /Required headers missing: x-github-delivery/,
  },
  {
    name: "a text/plain body",
    request: async () => ({
      body: json(pullRequestOpened),
      headers: { "content-type": "text/plain" },
    }),
    status: 415,
    says: /Content-Type.*application\/json/,
  },
  {
    name: "GitHub's form-encoded content type",
    request: async () => ({
      body: `payload=${encodeURIComponent(json(pullRequestOpened))}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }),
    status: 415,
    says: /Content-Type.*application\/json/,
  },
  {
    name: "no content type",
    request: async () => ({
      body: json(pullRequestOpened),
      headers: { "content-type": undefined },
    }),
    status: 415,
    says: /Content-Type/,
  },
  {
    name: "JSON cut off half-way, correctly signed",
    request: async () => ({ body: json(pullRequestOpened).slice(0, 500) }),
    status: 400,
    says: /Invalid JSON/,
  },
  {
    name: "an empty body, correctly signed",
    request: async () => ({ body: "" }),
    status: 400,
    says: /empty payload/,
  },
  {
    name: "a JSON null, correctly signed",
    request: async () => ({ body: "null" }),
    status: 400,
    says: /payload: expected a JSON object/,
  },
  {
    name: "a JSON array, correctly signed",
    request: async () => ({ body: "[1,2,3]" }),
    status: 400,
    says: /payload: expected a JSON object/,
  },
  {
    name: "a payload without the installation",
    request: async () => ({ body: json(withoutInstallation()) }),
    status: 400,
    says: /installation: /,
  },
  {
    name: "an installation id that is a string",
    request: async () => {
      const payload = structuredClone(pullRequestOpened);
      payload.installation = { id: "1; drop table installations" } as never;
      return { body: json(payload) };
    },
    status: 400,
    says: /installation\.id/,
  },
  {
    name: "a repository without a usable full_name",
    request: async () => {
      const payload = structuredClone(pullRequestOpened);
      (payload.repository as { full_name: unknown }).full_name = ["a", "b"];
      return { body: json(payload) };
    },
    status: 400,
    says: /repository\.full_name/,
  },
  {
    name: "an action that is not a string",
    request: async () => {
      const payload = structuredClone(pullRequestOpened);
      payload.action = { $ne: null } as never;
      return { body: json(payload) };
    },
    status: 400,
    says: /action/,
  },
  {
    name: "a GET on the webhook path",
    request: async () => ({ body: "", method: "GET" }),
    status: 404,
    says: /Unknown route: GET/,
  },
];

describe.each(databaseKinds)("hostile requests at the webhook endpoint on %s", (kind) => {
  let hostile: HostileBosun;
  const bosun = () => hostile.bosun;

  beforeAll(async () => {
    hostile = await startHostileBosun(kind);
  });
  afterAll(async () => {
    await hostile?.close();
  });
  afterEach(async () => {
    expect((await fetch(`${bosun().url}/healthz`)).status).toBe(200);
  });

  it.each(refusedCases)("refuses $name, storing nothing", async ({ request, status, says }) => {
    const answer = await post(bosun().url, await request());
    expect(answer.status).toBe(status);
    expect(answer.body).toMatch(says);
    expect(await deliveryRecord(bosun(), answer.deliveryId)).toBeUndefined();
  });

  it("refuses a declared body over 25 MB before reading it", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${bosun().url}/api/github/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": 30 * 1024 * 1024 },
      });
      request.on("response", (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on("error", reject);
      request.write("x".repeat(1024));
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatch(/25 MB/);
  });

  it("refuses a chunked body that grows past 25 MB without a declared length", async () => {
    const deliveryId = randomUUID();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${bosun().url}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "transfer-encoding": "chunked",
          "x-github-event": "pull_request",
          "x-github-delivery": deliveryId,
          "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
        },
      });
      request.on("response", (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      // The server may close the connection once it has refused the body.
      request.on("error", (error: NodeJS.ErrnoException) =>
        error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error),
      );
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 40) {
          sent += 1;
          if (!request.write(chunk)) {
            request.once("drain", pump);
            return;
          }
        }
        request.end();
      };
      pump();
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatch(/25 MB/);
    expect(await deliveryRecord(bosun(), deliveryId)).toBeUndefined();
  });

  /**
   * The status line's code for a request with the given path, sent on a socket of its own: the
   * test's HTTP clients (intercepted by nock) are not what is under test, and choke on such URLs.
   */
  const rawGet = (path: string, method = "GET") =>
    new Promise<{ status: number }>((resolve, reject) => {
      const { hostname, port } = new URL(bosun().url);
      const socket = net.connect(Number(port), hostname);
      let head = "";
      socket.on("data", (chunk: Buffer) => {
        head += chunk.toString("latin1");
        const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
        if (status) {
          socket.destroy();
          resolve({ status: Number(status[1]) });
        }
      });
      // The server may close the connection once it has answered, before all was sent.
      socket.on("error", (error: NodeJS.ErrnoException) =>
        error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error),
      );
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Length: 0\r\n\r\n`);
    });

  it("answers a 1 MB URL with a 4xx and stays responsive", async () => {
    for (const path of [
      `/${"/".repeat(1024 * 1024)}x`,
      `/runs/x?token=${"a".repeat(1024 * 1024)}`,
      `/api/github/webhooks${"/".repeat(1024 * 1024)}`,
    ]) {
      const answer = await rawGet(path);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect((await fetch(`${bosun().url}/healthz`)).status).toBe(200);
    }
  });

  it("answers the longest URLs the server takes, runs of slashes included, with a 4xx", async () => {
    // Node refuses a request head over 16 KiB (431); these stay just under it and reach Bosun's
    // own path handling, which takes linear time (a bench would show it; no timing asserted).
    const run = "/".repeat(15_000);
    for (const [path, method] of [
      [`/${run}x`, "GET"],
      [`/state${run}x`, "GET"],
      [`/runs/${run}x?token=${run}`, "GET"],
      [`/api/github/webhooks${run}x`, "POST"],
      [`/api/github/webhooks?${run}x`, "GET"],
    ] as const) {
      const answer = await rawGet(path, method);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
    expect((await fetch(`${bosun().url}/healthz`)).status).toBe(200);
  });

  it("closes the connection of a declared body over 25 MB rather than read it", async () => {
    const answer = await new Promise<{ status: number; connection: string | undefined }>(
      (resolve, reject) => {
        const request = http.request(`${bosun().url}/api/github/webhooks`, {
          method: "POST",
          headers: { "content-type": "application/json", "content-length": 26 * 1024 * 1024 },
        });
        request.on("response", (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, connection: response.headers.connection });
        });
        request.on("error", (error: NodeJS.ErrnoException) =>
          error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error),
        );
        request.flushHeaders();
      },
    );
    expect(answer).toEqual({ status: 413, connection: "close" });
  });

  it("acknowledges an event Bosun does not use, without storing it", async () => {
    const answer = await post(bosun().url, {
      body: json(example("star", () => true)),
      headers: { "x-github-event": "star" },
    });
    expect(answer.status).toBe(200);
    expect(await deliveryRecord(bosun(), answer.deliveryId)).toBeUndefined();
  });

  it("acknowledges a made-up event name with shell metacharacters, storing nothing", async () => {
    const answer = await post(bosun().url, {
      body: json(pullRequestOpened),
      headers: { "x-github-event": "push;rm -rf /" },
    });
    expect(answer.status).toBe(200);
    expect(await deliveryRecord(bosun(), answer.deliveryId)).toBeUndefined();
  });

  it("stores a delivery id that reads like SQL as plain text", async () => {
    const hostileId = "x'); drop table webhook_deliveries; --";
    const payload = example("installation", (p) => p.action === "created");
    const github = await startGithubFake();
    try {
      const answer = await deliver(bosun().url, "installation", payload, {
        deliveryId: hostileId,
      });
      expect(answer.status).toBe(200);
      expect((await finalDelivery(bosun(), hostileId)).status).toBe("processed");
      const [count] = await rows<{ n: number | string }>(
        bosun(),
        sql`select count(*)::int as n from webhook_deliveries`,
      );
      expect(Number(count?.n)).toBeGreaterThan(0);
    } finally {
      await github.close();
    }
    github.verify();
  });

  it("keeps the first payload when a delivery id comes again with another payload", async () => {
    const github = await startGithubFake();
    const repo = await HostileRepo.create(github, "redelivery");
    try {
      const first = await deliver(
        bosun().url,
        "issue_comment",
        repo.commentPayload("just a comment").payload,
      );
      const again = await deliver(
        bosun().url,
        "issue_comment",
        repo.commentPayload("/apply").payload,
        { deliveryId: first.deliveryId },
      );
      expect([first.status, again.status]).toEqual([200, 200]);
      expect((await finalDelivery(bosun(), first.deliveryId)).status).toBe("ignored");
      const [stored] = await rows<{ body: string }>(
        bosun(),
        sql`select payload->'comment'->>'body' as body from webhook_deliveries where delivery_id = ${first.deliveryId}`,
      );
      expect(stored?.body).toBe("just a comment");
      expect(repo.repo.requests).toEqual([]);
    } finally {
      await github.close();
    }
    github.verify();
  });

  it("refuses a payload nested too deep to store, and stores nothing", async () => {
    const payload = structuredClone(pullRequestOpened);
    const depth = 20_000;
    const body = json(payload).replace(/}$/, `,"deep":${"[".repeat(depth)}${"]".repeat(depth)}}`);
    const answer = await post(bosun().url, { body });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/nested deeper than 64 levels/);
    expect(await deliveryRecord(bosun(), answer.deliveryId)).toBeUndefined();
  });

  it("accepts a comment holding a NUL character, without losing the delivery", async () => {
    const github = await startGithubFake();
    const repo = await HostileRepo.create(github, "nul");
    try {
      const { payload } = repo.commentPayload("looks fine\u0000/apply");
      const answer = await deliver(bosun().url, "issue_comment", payload);
      expect(answer.status).toBe(200);
      expect((await finalDelivery(bosun(), answer.deliveryId)).status).toBe("ignored");
      const [stored] = await rows<{ body: string }>(
        bosun(),
        sql`select payload->'comment'->>'body' as body from webhook_deliveries where delivery_id = ${answer.deliveryId}`,
      );
      expect(stored?.body).toBe("looks fine\uFFFD/apply");
    } finally {
      await github.close();
    }
    github.verify();
  });

  it("rejects a well-signed pull_request payload without its pull_request, saying which field", async () => {
    const github = await startGithubFake();
    const repo = await HostileRepo.create(github, "no-pull");
    try {
      const payload = repo.adapt(pullRequestOpened);
      delete payload.pull_request;
      const answer = await deliver(bosun().url, "pull_request", payload);
      expect(answer.status).toBe(200);
      const record = await finalDelivery(bosun(), answer.deliveryId);
      expect(record.status).toBe("rejected");
      expect(record.error).toMatch(/pull_request/);
      expect(repo.repo.requests).toEqual([]);
    } finally {
      await github.close();
    }
    github.verify();
  });

  it("rejects an issue comment whose body is not text, saying which field", async () => {
    const github = await startGithubFake();
    const repo = await HostileRepo.create(github, "comment-type");
    try {
      const { payload } = repo.commentPayload("/apply");
      (payload.comment as { body: unknown }).body = { command: "/apply" };
      const answer = await deliver(bosun().url, "issue_comment", payload);
      expect(answer.status).toBe(200);
      const record = await finalDelivery(bosun(), answer.deliveryId);
      expect(record.status).toBe("rejected");
      expect(record.error).toMatch(/comment\.body|body/);
      expect(repo.repo.requests).toEqual([]);
    } finally {
      await github.close();
    }
    github.verify();
  });

  it("still processes a normal delivery after all of the above, and left nothing queued", async () => {
    await expectStillUp(bosun());
    const payload = example("installation", (p) => p.action === "created");
    const github = await startGithubFake();
    try {
      const answer = await deliver(bosun().url, "installation", payload);
      expect(answer.status).toBe(200);
      expect((await finalDelivery(bosun(), answer.deliveryId)).status).toBe("processed");
    } finally {
      await github.close();
    }
    github.verify();
  });
});
