import { sql } from "drizzle-orm";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issuePhaseToken } from "../../../src/identity/phase-token.js";
import { createSigningKeyRing } from "../../../src/identity/signing-key-ring.js";
import { createSigningKeyRepository } from "../../../src/store/signing-key-repository.js";
import { freePort, startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

describe("Bosun as an OIDC issuer, over HTTP", () => {
  let bosun: TestBosun;
  let issuer: string;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    bosun = await startTestBosun("pglite", {
      port,
      mode: "web",
      env: { BOSUN_PUBLIC_URL: issuer, BOSUN_RUN_TIMEOUT: "20m" },
    });
  });
  afterAll(async () => {
    await bosun?.close();
  });

  it("serves a discovery document that names itself and its JWKS, cacheably", async () => {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toMatch(/max-age=\d+/);
    expect(await response.json()).toMatchObject({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks`,
      id_token_signing_alg_values_supported: ["RS256"],
      subject_types_supported: ["public"],
      response_types_supported: ["id_token"],
    });
  });

  it("serves public keys only, and a token signed with the stored key verifies against them", async () => {
    const response = await fetch(`${issuer}/.well-known/jwks`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/jwk-set+json");
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty("d");

    const ring = createSigningKeyRing({
      store: createSigningKeyRepository(bosun.database.db),
      encryptionKey: bosun.config.encryptionKey,
      tokenLifetimeMs: bosun.config.runTimeoutMs,
    });
    const { token } = await issuePhaseToken(
      ring,
      { issuer: bosun.config.publicUrl, lifetimeMs: bosun.config.runTimeoutMs },
      {
        repository: "acme/infra",
        repositoryId: 101,
        stack: "network",
        environment: "prod",
        phase: "apply",
        runId: "3f1c2d4e-0000-4000-8000-000000000001",
        runKind: "tracked",
        sha: "b".repeat(40),
        ref: "refs/heads/main",
        actor: "octocat",
        audience: "sts.amazonaws.com",
      },
    );
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks`)),
      { issuer, audience: "sts.amazonaws.com" },
    );
    expect(protectedHeader.kid).toBe(jwks.keys[0]!.kid);
    expect(payload.sub).toBe("repo:acme/infra:stack:network:environment:prod:phase:apply");
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(20 * 60);
  });

  it("rotates: a successor is published before it signs, and the old key's tokens verify until it is retired", async () => {
    const db = bosun.database.db;
    const ring = createSigningKeyRing({
      store: createSigningKeyRepository(db),
      encryptionKey: bosun.config.encryptionKey,
      tokenLifetimeMs: bosun.config.runTimeoutMs,
    });
    const sign = async () =>
      (
        await issuePhaseToken(
          ring,
          { issuer: bosun.config.publicUrl, lifetimeMs: bosun.config.runTimeoutMs },
          {
            repository: "acme/infra",
            repositoryId: 101,
            stack: "network",
            environment: "prod",
            phase: "plan",
            runId: "3f1c2d4e-0000-4000-8000-000000000002",
            runKind: "tracked",
            sha: "c".repeat(40),
            actor: "octocat",
            audience: "sts.amazonaws.com",
          },
        )
      ).token;
    // A fresh key set per check, as a verifier whose cache expired: what the server serves now.
    const verifyOverHttp = (token: string) =>
      jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks`)), {
        issuer,
        audience: "sts.amazonaws.com",
      });
    const publishedKids = async () =>
      (
        (await (await fetch(`${issuer}/.well-known/jwks`)).json()) as { keys: { kid: string }[] }
      ).keys.map((key) => key.kid);
    const age = (kid: string, ms: number) =>
      db.execute(
        sql`update oidc_signing_keys set created_at = now() - make_interval(secs => ${ms / 1000}) where kid = ${kid}`,
      );

    const [oldKid] = await publishedKids();
    const oldToken = await sign();
    // A week on, the successor is made and published; the old key still signs for a day.
    await age(oldKid!, 7 * DAY + MINUTE);
    const both = await publishedKids();
    expect(both).toHaveLength(2);
    const successor = both.find((kid) => kid !== oldKid)!;
    expect(decodeProtectedHeader(await sign()).kid).toBe(oldKid);
    // A day later the successor signs; the old key's tokens still verify.
    await age(oldKid!, 8 * DAY + MINUTE);
    await age(successor, DAY + MINUTE);
    const newToken = await sign();
    expect(decodeProtectedHeader(newToken).kid).toBe(successor);
    await expect(verifyOverHttp(oldToken)).resolves.toBeDefined();
    await expect(verifyOverHttp(newToken)).resolves.toBeDefined();
    // Once every token the old key signed has expired (the run timeout and a margin), it is gone.
    await age(successor, DAY + bosun.config.runTimeoutMs + 6 * MINUTE);
    expect(await publishedKids()).toEqual([successor]);
    await expect(verifyOverHttp(oldToken)).rejects.toThrow();
    await expect(verifyOverHttp(newToken)).resolves.toBeDefined();
  });
});

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
