import type { KeyObject } from "node:crypto";
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
import { open, seal } from "../lib/seal.js";
import type { SigningKeyStore, StoredSigningKey } from "../services/signing-key-port.js";

/** RS256: the one algorithm AWS STS, Google STS and Entra ID all accept for federated tokens. */
export const SIGNING_ALGORITHM = "RS256";

/** A key signs for a week, then its successor takes over. */
export const DEFAULT_ROTATE_EVERY_MS = 7 * 24 * 3_600_000;

/**
 * Another process may still sign with a key for a moment after its successor was stored (it read
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
  /** BOSUN_ENCRYPTION_KEY: private keys exist only sealed with it. */
  encryptionKey: KeyObject;
  /** How long a key signs before a new one takes over. */
  rotateEveryMs?: number;
  /** The longest a token lives (the phase timeout): how long a retired key stays published. */
  tokenLifetimeMs: number;
  now?: () => Date;
}): SigningKeyRing {
  const rotateEveryMs = options.rotateEveryMs ?? DEFAULT_ROTATE_EVERY_MS;
  const retainMs = options.tokenLifetimeMs + RETIREMENT_MARGIN_MS;
  const now = options.now ?? (() => new Date());
  const imported = new Map<string, CryptoKey>();

  /** Keys still published, newest first: a key is retired once its successor is older than retainMs. */
  function published(keys: readonly StoredSigningKey[], at: Date): StoredSigningKey[] {
    return keys.filter((_, index) => {
      const successor = keys[index - 1];
      return successor === undefined || at.getTime() - successor.createdAt.getTime() < retainMs;
    });
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

  /** The stored keys after making a successor when one is due and dropping retired keys. */
  async function refresh(): Promise<StoredSigningKey[]> {
    const at = now();
    let keys = await options.store.all();
    const newest = keys[0];
    if (newest === undefined || at.getTime() - newest.createdAt.getTime() >= rotateEveryMs) {
      keys = [await makeKey(at), ...keys];
    }
    const kept = published(keys, at);
    const keptKids = new Set(kept.map((key) => key.kid));
    await options.store.remove(keys.filter((key) => !keptKids.has(key.kid)).map((key) => key.kid));
    return kept;
  }

  return {
    async signingKey() {
      const [current] = await refresh();
      if (!current) throw new Error("no signing key after making one");
      return { kid: current.kid, privateKey: await privateKeyOf(current) };
    },
    async jwks() {
      // Refreshed here too, so a verifier sees a key before the first token and after a rotation.
      const keys = await refresh();
      return { keys: keys.map((key): JWK => PublicJwk.parse(key.publicJwk)) };
    },
  };
}

/** Binds a sealed private key to its kid, so one key's envelope cannot stand in for another's. */
const aad = (kid: string) => `oidc-signing-key:${kid}`;
