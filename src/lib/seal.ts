import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  KeyObject,
  randomBytes,
} from "node:crypto";

/**
 * Authenticated encryption at rest (AES-256-GCM) for secrets and saved workspaces
 * (docs/design.md: "Between plan and apply the workspace … is kept encrypted at rest").
 *
 * Envelope, version 2 (every seal since keys can be rotated):
 *
 * ```
 * | version (1 byte) = 0x02 | key id (4 bytes) | IV (12 bytes, random) | tag (16 bytes) | ciphertext |
 * ```
 *
 * Version 1, without the key id, is still opened, by trying each key (values sealed before
 * rotation existed):
 *
 * ```
 * | version (1 byte) = 0x01 | IV (12 bytes, random) | tag (16 bytes) | ciphertext (rest) |
 * ```
 *
 * The version byte and the key id are bound to the ciphertext by passing them as part of the
 * additional authenticated data, so neither can be swapped without detection.
 */

const LEGACY_VERSION = 1;
const VERSION = 2;
const KEY_ID_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const LEGACY_HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const HEADER_BYTES = 1 + KEY_ID_BYTES + IV_BYTES + TAG_BYTES;

/**
 * - `invalid-key`: the key text or key object is not a 256-bit key.
 * - `bad-version`: the envelope's version byte is not one this code can open.
 * - `unknown-key`: the envelope names a key id that none of the configured keys has.
 * - `tampered`: authentication failed. AES-GCM cannot tell a modified envelope from one sealed
 *   under another key or another `aad`: all three fail the same tag check, so all three carry
 *   this code, and the message names all three.
 */
export type SealErrorCode = "invalid-key" | "bad-version" | "unknown-key" | "tampered";

export class SealError extends Error {
  override readonly name = "SealError";
  readonly code: SealErrorCode;

  constructor(code: SealErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// Strict: Buffer.from(text, "base64") silently skips characters it does not know, which would
// accept a mistyped key as some other key.
const BASE64_KEY = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43})$/;

/**
 * Reads a 32-byte key written as 64 hex characters or as base64 (standard or URL-safe, padding
 * optional). Surrounding whitespace is ignored. The error never repeats the text: it is a secret.
 */
export function parseEncryptionKey(text: string): KeyObject {
  const trimmed = text.trim();
  let bytes: Buffer;
  if (HEX_KEY.test(trimmed)) {
    bytes = Buffer.from(trimmed, "hex");
  } else if (BASE64_KEY.test(trimmed)) {
    bytes = Buffer.from(
      trimmed,
      trimmed.includes("-") || trimmed.includes("_") ? "base64url" : "base64",
    );
  } else {
    throw new SealError(
      "invalid-key",
      `reading the encryption key: expected 32 bytes written as 64 hex characters or 44 base64 characters, got ${trimmed.length} characters`,
    );
  }
  return createSecretKey(bytes);
}

/** A fresh random key and its base64 text, for a development setup that has none configured. */
export function generateEncryptionKey(): { key: KeyObject; text: string } {
  const bytes = randomBytes(KEY_BYTES);
  return { key: createSecretKey(bytes), text: bytes.toString("base64") };
}

/**
 * The keys values are sealed under, newest first (BOSUN_ENCRYPTION_KEYS): the newest seals, any of
 * them opens. Each key is known by its id, the first 8 hex characters of its SHA-256, which every
 * sealed value carries; 32 bits of a hash of a random 256-bit key say nothing of the key.
 */
export interface KeyRing {
  readonly newest: { readonly id: string; readonly key: KeyObject };
  readonly keys: readonly { readonly id: string; readonly key: KeyObject }[];
}

/** A ring, or one key alone (a ring of one): what seal and open take. */
export type SealKeys = KeyRing | KeyObject;

/** The key's id, as sealed values and `bosun keys rotate` name it. */
export function keyId(key: KeyObject): string {
  assertKey(key);
  return createHash("sha256")
    .update(key.export())
    .digest("hex")
    .slice(0, KEY_ID_BYTES * 2);
}

/** A ring of `keys`, newest first; the same key twice, or two keys with one id, are refused. */
export function createKeyRing(keys: readonly KeyObject[]): KeyRing {
  const entries = keys.map((key) => ({ id: keyId(key), key }));
  const [newest] = entries;
  if (!newest) throw new SealError("invalid-key", "a key ring needs at least one key");
  const ids = new Set(entries.map((entry) => entry.id));
  if (ids.size !== entries.length) {
    throw new SealError("invalid-key", "the same key is listed twice (key ids must differ)");
  }
  return { newest, keys: entries };
}

const ringOf = (keys: SealKeys): KeyRing =>
  keys instanceof KeyObject ? createKeyRing([keys]) : keys;

/**
 * The id of the key a value was sealed under, or undefined for a version 1 envelope (sealed
 * before values carried one) or something that is no envelope at all.
 */
export function sealedKeyId(sealed: Buffer): string | undefined {
  if (sealed[0] !== VERSION || sealed.length < HEADER_BYTES) return undefined;
  return sealed.subarray(1, 1 + KEY_ID_BYTES).toString("hex");
}

/**
 * Encrypts and authenticates `plaintext` under the newest key. `aad` binds the envelope to its
 * context (say, the run and component it belongs to) so that a sealed blob copied to another
 * record fails to open. An absent `aad` and an empty one are the same context.
 */
export function seal(keys: SealKeys, plaintext: Buffer, aad?: string): Buffer {
  const { id, key } = ringOf(keys).newest;
  assertKey(key);
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = VERSION;
  const keyIdBytes = Buffer.from(id, "hex");
  keyIdBytes.copy(header, 1);
  const iv = randomBytes(IV_BYTES);
  iv.copy(header, 1 + KEY_ID_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(header.subarray(0, 1 + KEY_ID_BYTES), aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  cipher.getAuthTag().copy(header, 1 + KEY_ID_BYTES + IV_BYTES);
  return Buffer.concat([header, ciphertext]);
}

/**
 * Decrypts an envelope made by {@link seal} with the key it names, or a version 1 envelope with
 * whichever key opens it; throws {@link SealError}.
 */
export function open(keys: SealKeys, sealed: Buffer, aad?: string): Buffer {
  const ring = ringOf(keys);
  for (const { key } of ring.keys) assertKey(key);
  if (sealed.length === 0) {
    throw new SealError("tampered", "opening sealed data: the envelope is empty");
  }
  const version = sealed[0];
  if (version === LEGACY_VERSION) return openLegacy(ring, sealed, aad);
  if (version !== VERSION) {
    throw new SealError(
      "bad-version",
      `opening sealed data: envelope version ${String(version)} is not supported (expected ${VERSION} or ${LEGACY_VERSION})`,
    );
  }
  if (sealed.length < HEADER_BYTES) throw truncated(sealed.length, HEADER_BYTES);
  const id = sealed.subarray(1, 1 + KEY_ID_BYTES).toString("hex");
  const entry = ring.keys.find((candidate) => candidate.id === id);
  if (!entry) {
    throw new SealError(
      "unknown-key",
      `opening sealed data: it was sealed under key ${id}, which is not among the configured keys (${ring.keys.map((known) => known.id).join(", ")})`,
    );
  }
  return decrypt(entry.key, sealed, 1 + KEY_ID_BYTES, aad);
}

/**
 * Opens a value sealed under one key of the ring and seals it again under the newest, for key
 * rotation. The context stays the same.
 */
export function reseal(keys: KeyRing, sealed: Buffer, aad?: string): Buffer {
  return seal(keys, open(keys, sealed, aad), aad);
}

/** A version 1 envelope names no key: the first key of the ring that authenticates it opens it. */
function openLegacy(ring: KeyRing, sealed: Buffer, aad: string | undefined): Buffer {
  if (sealed.length < LEGACY_HEADER_BYTES) throw truncated(sealed.length, LEGACY_HEADER_BYTES);
  let failure: SealError | undefined;
  for (const { key } of ring.keys) {
    try {
      return decrypt(key, sealed, 1, aad);
    } catch (error) {
      failure = error as SealError;
    }
  }
  throw failure ?? new SealError("tampered", "opening sealed data: no key to open it with");
}

/** Checks and decrypts the IV, tag and ciphertext that follow the `prefixBytes` of the header. */
function decrypt(
  key: KeyObject,
  sealed: Buffer,
  prefixBytes: number,
  aad: string | undefined,
): Buffer {
  const iv = sealed.subarray(prefixBytes, prefixBytes + IV_BYTES);
  const tag = sealed.subarray(prefixBytes + IV_BYTES, prefixBytes + IV_BYTES + TAG_BYTES);
  const ciphertext = sealed.subarray(prefixBytes + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(sealed.subarray(0, prefixBytes), aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    throw new SealError(
      "tampered",
      "opening sealed data: authentication failed (the data was modified, or it was sealed with another key or another context)",
      { cause: error },
    );
  }
}

function truncated(length: number, least: number): SealError {
  return new SealError(
    "tampered",
    `opening sealed data: the envelope is truncated (${length} bytes, at least ${least} expected)`,
  );
}

/** A content digest in the `algorithm:hex` form used to name plans (docs/design.md invariant 3). */
export function digest(buf: Buffer): string {
  return `sha256:${createHash("sha256").update(buf).digest("hex")}`;
}

function assertKey(key: KeyObject): void {
  if (key.type !== "secret" || key.symmetricKeySize !== KEY_BYTES) {
    throw new SealError(
      "invalid-key",
      `sealing needs a ${KEY_BYTES}-byte secret key, got a ${key.type} key of ${String(key.symmetricKeySize ?? 0)} bytes`,
    );
  }
}

/** The envelope's header before its IV (version, and key id from version 2 on), then `aad`. */
function associatedData(prefix: Buffer, aad: string | undefined): Buffer {
  return Buffer.concat([prefix, Buffer.from(aad ?? "", "utf8")]);
}
