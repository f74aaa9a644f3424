import { createRemoteJWKSet, jwtVerify } from "jose";
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
});
