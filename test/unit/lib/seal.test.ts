import {
  createCipheriv,
  createHash,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createKeyRing,
  digest,
  generateEncryptionKey,
  keyId,
  open,
  parseEncryptionKey,
  reseal,
  seal,
  SealError,
  sealedKeyId,
  type SealErrorCode,
} from "../../../src/lib/seal.js";

const keyBytes = Buffer.from(
  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
  "hex",
);
const key = createSecretKey(keyBytes);

function sealErrorCode(fn: () => unknown): SealErrorCode {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SealError);
    return (error as SealError).code;
  }
  throw new Error("expected a SealError, nothing was thrown");
}

describe("parseEncryptionKey", () => {
  it.each([
    ["hex", keyBytes.toString("hex")],
    ["upper-case hex", keyBytes.toString("hex").toUpperCase()],
    ["base64", keyBytes.toString("base64")],
    ["base64 without padding", keyBytes.toString("base64").replace(/=+$/, "")],
    ["base64url", keyBytes.toString("base64url")],
    ["text with surrounding whitespace", `  ${keyBytes.toString("base64")}\n`],
  ])("accepts a 32-byte key as %s", (_form, text) => {
    const parsed = parseEncryptionKey(text);
    expect(parsed.export().equals(keyBytes)).toBe(true);
  });

  it.each([
    ["empty text", ""],
    ["a short hex key", "00".repeat(16)],
    ["a long hex key", "00".repeat(33)],
    ["a 16-byte base64 key", randomBytes(16).toString("base64")],
    ["a 48-byte base64 key", randomBytes(48).toString("base64")],
    ["base64 with a stray character", `${keyBytes.toString("base64").slice(0, 42)}!=`],
    ["a passphrase", "correct horse battery staple"],
  ])("refuses %s with invalid-key and never echoes the text", (_form, text) => {
    try {
      parseEncryptionKey(text);
      expect.unreachable("parseEncryptionKey accepted a bad key");
    } catch (error) {
      expect(error).toBeInstanceOf(SealError);
      expect((error as SealError).code).toBe("invalid-key");
      expect((error as SealError).message).toMatch(/64 hex characters or 44 base64 characters/);
      if (text.length > 0) expect((error as SealError).message).not.toContain(text);
    }
  });

  it("generates keys that parse back to the same bytes", () => {
    const { key: generated, text } = generateEncryptionKey();
    expect(parseEncryptionKey(text).export().equals(generated.export())).toBe(true);
  });
});

describe("seal and open", () => {
  it("round-trips plaintext with and without aad", () => {
    const plaintext = Buffer.from("plan file bytes \u0000\u00ff", "utf8");
    expect(open(key, seal(key, plaintext)).equals(plaintext)).toBe(true);
    expect(open(key, seal(key, plaintext, "run-1/network@prod"), "run-1/network@prod")).toEqual(
      plaintext,
    );
  });

  it("round-trips an empty plaintext", () => {
    const sealed = seal(key, Buffer.alloc(0), "ctx");
    expect(sealed.length).toBe(1 + 4 + 12 + 16);
    expect(open(key, sealed, "ctx").length).toBe(0);
  });

  it("round-trips a large plaintext", () => {
    const plaintext = randomBytes(1024 * 1024 + 3);
    expect(open(key, seal(key, plaintext)).equals(plaintext)).toBe(true);
  });

  it("writes the documented envelope: version 2, key id, 12-byte IV, 16-byte tag, ciphertext", () => {
    const plaintext = Buffer.from("hello");
    const sealed = seal(key, plaintext);
    expect(sealed[0]).toBe(2);
    expect(sealed.subarray(1, 5).toString("hex")).toBe(
      createHash("sha256").update(keyBytes).digest("hex").slice(0, 8),
    );
    expect(sealed.length).toBe(1 + 4 + 12 + 16 + plaintext.length);
    expect(sealed.includes(plaintext)).toBe(false);
  });

  it("uses a fresh IV for every seal", () => {
    const plaintext = Buffer.from("same input");
    const a = seal(key, plaintext);
    const b = seal(key, plaintext);
    expect(a.subarray(5, 17).equals(b.subarray(5, 17))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  const regions: { name: string; offsets: (length: number) => number[]; code: SealErrorCode }[] = [
    { name: "version byte", offsets: () => [0], code: "bad-version" },
    { name: "key id", offsets: () => [1, 4], code: "unknown-key" },
    { name: "IV", offsets: () => [5, 10, 16], code: "tampered" },
    { name: "tag", offsets: () => [17, 24, 32], code: "tampered" },
    { name: "ciphertext", offsets: (n) => [33, 44, n - 1], code: "tampered" },
  ];

  it.each(regions)("detects a flipped bit in the $name", ({ offsets, code }) => {
    const sealed = seal(key, Buffer.from("the quick brown fox jumps over the lazy dog"), "ctx");
    for (const offset of offsets(sealed.length)) {
      const tampered = Buffer.from(sealed);
      tampered[offset] = (tampered[offset] ?? 0) ^ 0x01;
      expect(sealErrorCode(() => open(key, tampered, "ctx"))).toBe(code);
    }
  });

  it("detects truncation and appended bytes", () => {
    const sealed = seal(key, Buffer.from("some secret"), "ctx");
    expect(sealErrorCode(() => open(key, sealed.subarray(0, sealed.length - 1), "ctx"))).toBe(
      "tampered",
    );
    expect(sealErrorCode(() => open(key, sealed.subarray(0, 20), "ctx"))).toBe("tampered");
    expect(sealErrorCode(() => open(key, Buffer.alloc(0), "ctx"))).toBe("tampered");
    expect(sealErrorCode(() => open(key, Buffer.concat([sealed, Buffer.from([0])]), "ctx"))).toBe(
      "tampered",
    );
  });

  it("refuses a wrong key, naming the key the value was sealed under", () => {
    const sealed = seal(key, Buffer.from("some secret"));
    const other = generateEncryptionKey().key;
    try {
      open(other, sealed);
      expect.unreachable("opened with the wrong key");
    } catch (error) {
      expect(error).toBeInstanceOf(SealError);
      expect((error as SealError).code).toBe("unknown-key");
      expect((error as SealError).message).toBe(
        `opening sealed data: it was sealed under key ${keyId(key)}, which is not among the configured keys (${keyId(other)})`,
      );
    }
  });

  it("refuses a wrong key whose id happens to match with tampered", () => {
    const sealed = seal(key, Buffer.from("some secret"));
    const other = generateEncryptionKey().key;
    // Another key's envelope relabelled with this key's id: authentication still fails.
    const relabelled = Buffer.from(seal(other, Buffer.from("some secret")));
    sealed.copy(relabelled, 1, 1, 5);
    expect(sealErrorCode(() => open(key, relabelled))).toBe("tampered");
  });

  it("refuses a wrong, missing or unexpected aad", () => {
    const sealed = seal(key, Buffer.from("some secret"), "run-1");
    expect(sealErrorCode(() => open(key, sealed, "run-2"))).toBe("tampered");
    expect(sealErrorCode(() => open(key, sealed))).toBe("tampered");
    const unbound = seal(key, Buffer.from("some secret"));
    expect(sealErrorCode(() => open(key, unbound, "run-1"))).toBe("tampered");
  });

  it("refuses keys that are not 256-bit secret keys", () => {
    const short = createSecretKey(randomBytes(16));
    expect(sealErrorCode(() => seal(short, Buffer.from("x")))).toBe("invalid-key");
    expect(sealErrorCode(() => open(short, seal(key, Buffer.from("x"))))).toBe("invalid-key");
  });
});

/** A version 1 envelope, as values were sealed before they carried a key id. */
function sealVersion1(sealKey: KeyObject, plaintext: Buffer, aad = ""): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealKey, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.concat([Buffer.from([1]), Buffer.from(aad, "utf8")]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), ciphertext]);
}

describe("key rings", () => {
  const older = generateEncryptionKey().key;
  const newer = generateEncryptionKey().key;
  const ring = createKeyRing([newer, older]);

  it("seals under the newest key and opens under any of them", () => {
    const sealed = seal(ring, Buffer.from("v"), "ctx");
    expect(sealedKeyId(sealed)).toBe(keyId(newer));
    expect(open(createKeyRing([newer]), sealed, "ctx").toString()).toBe("v");
    const underOlder = seal(older, Buffer.from("w"), "ctx");
    expect(open(ring, underOlder, "ctx").toString()).toBe("w");
  });

  it("opens a version 1 envelope (no key id) with whichever key authenticates it", () => {
    const legacy = sealVersion1(older, Buffer.from("from before rotation"), "ctx");
    expect(sealedKeyId(legacy)).toBeUndefined();
    expect(open(ring, legacy, "ctx").toString()).toBe("from before rotation");
    expect(sealErrorCode(() => open(createKeyRing([newer]), legacy, "ctx"))).toBe("tampered");
    expect(sealErrorCode(() => open(ring, legacy, "other"))).toBe("tampered");
  });

  it("reseals under the newest key, keeping plaintext and context", () => {
    const legacy = sealVersion1(older, Buffer.from("p"), "ctx");
    const again = reseal(ring, legacy, "ctx");
    expect(sealedKeyId(again)).toBe(keyId(newer));
    expect(open(newer, again, "ctx").toString()).toBe("p");
    expect(sealErrorCode(() => reseal(ring, legacy, "elsewhere"))).toBe("tampered");
  });

  it("derives the key id from the key: 8 hex characters of its SHA-256", () => {
    expect(keyId(key)).toBe("630dcd29");
    expect(keyId(key)).toBe(createHash("sha256").update(keyBytes).digest("hex").slice(0, 8));
  });

  it("refuses an empty ring and the same key twice", () => {
    expect(sealErrorCode(() => createKeyRing([]))).toBe("invalid-key");
    expect(sealErrorCode(() => createKeyRing([older, createSecretKey(older.export())]))).toBe(
      "invalid-key",
    );
  });
});

describe("digest", () => {
  it("is sha256 in hex with an algorithm prefix", () => {
    expect(digest(Buffer.from("abc"))).toBe(
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(digest(Buffer.alloc(0))).toBe(
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });
});
