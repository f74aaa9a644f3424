import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { issuePhaseToken, type PhaseTokenSubject } from "../../../src/identity/phase-token.js";
import { createSigningKeyRing } from "../../../src/identity/signing-key-ring.js";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import type { SigningKeyStore, StoredSigningKey } from "../../../src/services/signing-key-port.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ISSUER = "https://bosun.example.com";

function memoryStore(): SigningKeyStore & { rows: StoredSigningKey[] } {
  const rows: StoredSigningKey[] = [];
  return {
    rows,
    async all() {
      return [...rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },
    async add(key) {
      rows.push(key);
    },
    async remove(kids) {
      for (const kid of kids)
        rows.splice(
          rows.findIndex((row) => row.kid === kid),
          1,
        );
    },
  };
}

const subject: PhaseTokenSubject = {
  repository: "acme/infra",
  repositoryId: 101,
  stack: "network",
  environment: "prod",
  phase: "plan",
  runId: "3f1c2d4e-0000-4000-8000-000000000001",
  runKind: "proposed",
  sha: "a".repeat(40),
  ref: "refs/pull/7/head",
  actor: "octocat",
  audience: "sts.amazonaws.com",
};

function setup() {
  let clock = new Date("2030-01-01T00:00:00Z");
  const store = memoryStore();
  const ring = createSigningKeyRing({
    store,
    encryptionKey: generateEncryptionKey().key,
    rotateEveryMs: 7 * DAY,
    tokenLifetimeMs: HOUR,
    now: () => clock,
  });
  return {
    store,
    ring,
    advance: (ms: number) => (clock = new Date(clock.getTime() + ms)),
    now: () => clock,
    issue: () => issuePhaseToken(ring, { issuer: ISSUER, lifetimeMs: HOUR, now: clock }, subject),
    verify: async (token: string) =>
      jwtVerify(token, createLocalJWKSet(await ring.jwks()), {
        issuer: ISSUER,
        audience: "sts.amazonaws.com",
        currentDate: clock,
      }),
  };
}

describe("the OIDC signing key ring", () => {
  it("makes one key on first use, seals its private half and publishes only the public half", async () => {
    const { store, ring } = setup();
    const jwks = await ring.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]!.sealedPrivateJwk.toString("utf8")).not.toContain('"d"');
    expect((await ring.signingKey()).kid).toBe(jwks.keys[0]!.kid);
    expect(store.rows).toHaveLength(1);
  });

  it("signs a phase token with every claim, valid no longer than the phase", async () => {
    const { issue, verify, now } = setup();
    const issued = await issue();
    const { payload, protectedHeader } = await verify(issued.token);
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: "repo:acme/infra:stack:network:environment:prod:phase:plan",
      aud: "sts.amazonaws.com",
      repository: "acme/infra",
      repository_id: "101",
      stack: "network",
      environment: "prod",
      phase: "plan",
      run_id: subject.runId,
      run_kind: "proposed",
      sha: subject.sha,
      ref: "refs/pull/7/head",
      actor: "octocat",
    });
    const iat = now().getTime() / 1000;
    expect(payload.iat).toBe(iat);
    expect(payload.nbf).toBe(iat);
    expect(payload.exp).toBe(iat + HOUR / 1000);
    expect(issued.expiresAt.getTime()).toBe(now().getTime() + HOUR);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("publishes a successor a day before it signs, then keeps the old key until its tokens expire", async () => {
    const { ring, issue, verify, advance, store } = setup();
    const old = await issue();
    const oldKid = decodeProtectedHeader(old.token).kid;
    advance(7 * DAY);
    // Rotation is due: the successor is made and published now, but the old key still signs.
    const published = (await ring.jwks()).keys.map((key) => key.kid);
    expect(published).toHaveLength(2);
    const successor = published.find((kid) => kid !== oldKid)!;
    advance(DAY - 10 * 60_000);
    // Ten minutes before the successor takes over: a token signed now lives past the handover.
    const lastOfOld = await issue();
    expect(decodeProtectedHeader(lastOfOld.token).kid).toBe(oldKid);
    // A verifier that cached the JWKS a day ago already knows the key the next token is signed with.
    const cachedDayAgo = { keys: published };
    advance(10 * 60_000);
    const fresh = await issue();
    expect(decodeProtectedHeader(fresh.token).kid).toBe(successor);
    expect(cachedDayAgo.keys).toContain(decodeProtectedHeader(fresh.token).kid);
    expect((await ring.jwks()).keys.map((key) => key.kid)).toEqual([successor, oldKid]);
    await expect(verify(lastOfOld.token)).resolves.toBeDefined();
    advance(HOUR);
    // The old key's last token has expired, and the key is gone from the JWKS with it.
    await expect(verify(lastOfOld.token)).rejects.toThrow();
    advance(5 * 60_000);
    expect((await ring.jwks()).keys.map((key) => key.kid)).toEqual([successor]);
    expect(store.rows).toHaveLength(1);
    await expect(verify(fresh.token)).rejects.toThrow(/exp/);
    // The next rotation comes a week after the successor was made, and again a day ahead.
    advance(6 * DAY - HOUR - 5 * 60_000 - 1);
    expect((await ring.jwks()).keys).toHaveLength(1);
    advance(1);
    expect((await ring.jwks()).keys).toHaveLength(2);
    expect((await ring.signingKey()).kid).toBe(successor);
  });

  it("signs at once with the very first key, when no verifier can have cached anything", async () => {
    const { issue, verify } = setup();
    await expect(verify((await issue()).token)).resolves.toBeDefined();
  });

  it("refuses a token whose key is not in the JWKS", async () => {
    const first = setup();
    const second = setup();
    const token = (await first.issue()).token;
    await expect(second.verify(token)).rejects.toThrow();
  });
});
