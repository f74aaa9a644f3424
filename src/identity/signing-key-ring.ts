import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from "jose";
import { z } from "zod";
import { type SealKeys, open, seal } from "../lib/seal.js";
import { signingKeyContext as aad } from "../lib/seal-contexts.js";
import type { SigningKeyStore, StoredSigningKey } from "../services/signing-key-port.js";

/** RS256: the one algorithm AWS STS, Google STS and Entra ID all accept for federated tokens. */
export const SIGNING_ALGORITHM = "RS256";

/** A key signs for a week, then its successor takes over. */
export const DEFAULT_ROTATE_EVERY_MS = 7 * 24 * 3_600_000;

/**
 * A successor is published this long before it signs. Verifiers cache the JWKS (ours says five
 * minutes; some clouds keep it longer and refetch only for an unknown kid): a token signed by a key
 * they have already seen never has to wait for a refetch to verify.
 */
export const DEFAULT_PUBLISH_AHEAD_MS = 24 * 3_600_000;

/**
 * Another process may still sign with a key for a moment after its successor took over (it read
 * the keys just before): the retired key stays published this much longer than a token lives.
 */
const RETIREMENT_MARGIN_MS = 5 * 60_000;

const PublicJwk = z.looseObject({ kty: z.literal("RSA"), n: z.string(), e: z.string() });
const PrivateJwk = PublicJwk.extend({ d: z.string() });

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface SigningKeyRing {
  /** The key to sign with now; the first one is made on first use, a successor when one is due. */
  signingKey(): Promise<SigningKey>;
  /**
   * The public keys a verifier may meet: the signing key (made first if due) and retired keys
   * whose tokens may still be alive.
   */
  jwks(): Promise<JSONWebKeySet>;
}

export function createSigningKeyRing(options: {
  store: SigningKeyStore;
  /** BOSUN_ENCRYPTION_KEYS: private keys exist only sealed under them. */
  encryptionKey: SealKeys;
  /** How long a key signs before a new one takes over. */
  rotateEveryMs?: number;
  /** How long a successor is published before it signs; less than `rotateEveryMs`. */
  publishAheadMs?: number;
  /** The longest a token lives (the phase timeout): how long a retired key stays published. */
  tokenLifetimeMs: number;
  now?: () => Date;
}): SigningKeyRing {
  const rotateEveryMs = options.rotateEveryMs ?? DEFAULT_ROTATE_EVERY_MS;
  const aheadMs = Math.min(options.publishAheadMs ?? DEFAULT_PUBLISH_AHEAD_MS, rotateEveryMs / 2);
  const retainMs = options.tokenLifetimeMs + RETIREMENT_MARGIN_MS;
  const now = options.now ?? (() => new Date());
  const imported = new Map<string, CryptoKey>();

  /**
   * When a key starts signing: a successor `aheadMs` after it was made; the oldest stored key at
   * once, since it is either the very first key (no verifier has cached anything yet) or one whose
   * predecessor is gone, which happens only long after it took over.
   */
  const activeFrom = (keys: readonly StoredSigningKey[], index: number): number =>
    keys[index]!.createdAt.getTime() + (index === keys.length - 1 ? 0 : aheadMs);

  /**
   * The keys to publish, newest first, and which of them signs: a successor waiting its turn, the
   * signing key, and retired keys whose successor took over less than `retainMs` ago (their tokens
   * may still be alive).
   */
  function arrange(
    keys: readonly StoredSigningKey[],
    at: number,
  ): { published: StoredSigningKey[]; signer: number } {
    const signer = keys.findIndex((_, index) => activeFrom(keys, index) <= at);
    const published = keys.filter(
      (_, index) => index <= signer || at - activeFrom(keys, index - 1) < retainMs,
    );
    return { published, signer };
  }

  async function makeKey(createdAt: Date): Promise<StoredSigningKey> {
    const pair = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
    const publicJwk = await exportJWK(pair.publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(pair.privateKey);
    const key: StoredSigningKey = {
      kid,
      publicJwk: { ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: "sig" },
      sealedPrivateJwk: seal(
        options.encryptionKey,
        Buffer.from(JSON.stringify(privateJwk)),
        aad(kid),
      ),
      createdAt,
    };
    await options.store.add(key);
    return key;
  }

  async function privateKeyOf(key: StoredSigningKey): Promise<CryptoKey> {
    const cached = imported.get(key.kid);
    if (cached) return cached;
    const jwk = PrivateJwk.parse(
      JSON.parse(open(options.encryptionKey, key.sealedPrivateJwk, aad(key.kid)).toString("utf8")),
    );
    const privateKey = await importJWK(jwk, SIGNING_ALGORITHM);
    if (privateKey instanceof Uint8Array)
      throw new Error(`signing key ${key.kid} is not an RSA key`);
    imported.set(key.kid, privateKey);
    return privateKey;
  }

  /**
   * The published keys and the signer's index among them, after making a key when none signs yet
   * or a successor when one is due, and dropping retired keys.
   */
  async function refresh(): Promise<{ published: StoredSigningKey[]; signer: number }> {
    const at = now();
    let keys = await options.store.all();
    const { signer } = arrange(keys, at.getTime());
    // Keys are made every `rotateEveryMs`, so each signs that long, from `aheadMs` after it was made.
    const successorDue =
      signer === 0 && at.getTime() >= keys[0]!.createdAt.getTime() + rotateEveryMs;
    if (signer === -1 || successorDue) {
      keys = [await makeKey(at), ...keys];
    }
    const arranged = arrange(keys, at.getTime());
    const kept = new Set(arranged.published.map((key) => key.kid));
    await options.store.remove(keys.filter((key) => !kept.has(key.kid)).map((key) => key.kid));
    return arranged;
  }

  return {
    async signingKey() {
      const { published, signer } = await refresh();
      const current = published[signer];
      if (!current) throw new Error("no signing key after making one");
      return { kid: current.kid, privateKey: await privateKeyOf(current) };
    },
    async jwks() {
      // Refreshed here too, so a verifier sees a key before its first token and a successor
      // before it signs.
      const { published } = await refresh();
      return { keys: published.map((key): JWK => PublicJwk.parse(key.publicJwk)) };
    },
  };
}
