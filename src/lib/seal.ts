import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from "node:crypto";

/**
 * Authenticated encryption at rest (AES-256-GCM) for secrets and saved workspaces
 * (docs/design.md: "Between plan and apply the workspace … is kept encrypted at rest").
 *
 * Envelope, version 1:
 *
 * ```
 * | version (1 byte) = 0x01 | IV (12 bytes, random) | tag (16 bytes) | ciphertext (rest) |
 * ```
 *
 * The version byte lets a later envelope (another cipher, a key id) coexist with sealed data
 * already on disk. The version byte is bound to the ciphertext by passing it as part of the
 * additional authenticated data, so it cannot be swapped without detection either.
 */

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/**
 * - `invalid-key`: the key text or key object is not a 256-bit key.
 * - `bad-version`: the envelope's version byte is not one this code can open.
 * - `tampered`: authentication failed. AES-GCM cannot tell a modified envelope from one sealed
 *   under another key or another `aad`: all three fail the same tag check, so all three carry
 *   this code, and the message names all three.
 */
export type SealErrorCode = "invalid-key" | "bad-version" | "tampered";

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
 * Encrypts and authenticates `plaintext`. `aad` binds the envelope to its context (say, the run
 * and component it belongs to) so that a sealed blob copied to another record fails to open.
 * An absent `aad` and an empty one are the same context.
 */
export function seal(key: KeyObject, plaintext: Buffer, aad?: string): Buffer {
  assertKey(key);
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = VERSION;
  const iv = randomBytes(IV_BYTES);
  iv.copy(header, 1);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(VERSION, aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  cipher.getAuthTag().copy(header, 1 + IV_BYTES);
  return Buffer.concat([header, ciphertext]);
}

/** Decrypts an envelope made by {@link seal}, or throws {@link SealError}. */
export function open(key: KeyObject, sealed: Buffer, aad?: string): Buffer {
  assertKey(key);
  if (sealed.length === 0) {
    throw new SealError("tampered", "opening sealed data: the envelope is empty");
  }
  const version = sealed[0];
  if (version !== VERSION) {
    throw new SealError(
      "bad-version",
      `opening sealed data: envelope version ${String(version)} is not supported (expected ${VERSION})`,
    );
  }
  if (sealed.length < HEADER_BYTES) {
    throw new SealError(
      "tampered",
      `opening sealed data: the envelope is truncated (${sealed.length} bytes, at least ${HEADER_BYTES} expected)`,
    );
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, HEADER_BYTES);
  const ciphertext = sealed.subarray(HEADER_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(version, aad));
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

function associatedData(version: number, aad: string | undefined): Buffer {
  return Buffer.concat([Buffer.from([version]), Buffer.from(aad ?? "", "utf8")]);
}
