import { createSecretKey, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  digest,
  generateEncryptionKey,
  open,
  parseEncryptionKey,
  seal,
  SealError,
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
    expect(sealed.length).toBe(1 + 12 + 16);
    expect(open(key, sealed, "ctx").length).toBe(0);
  });

  it("round-trips a large plaintext", () => {
    const plaintext = randomBytes(1024 * 1024 + 3);
    expect(open(key, seal(key, plaintext)).equals(plaintext)).toBe(true);
  });

  it("writes the documented envelope: version 1, 12-byte IV, 16-byte tag, ciphertext", () => {
    const plaintext = Buffer.from("hello");
    const sealed = seal(key, plaintext);
    expect(sealed[0]).toBe(1);
    expect(sealed.length).toBe(1 + 12 + 16 + plaintext.length);
    expect(sealed.includes(plaintext)).toBe(false);
  });

  it("uses a fresh IV for every seal", () => {
    const plaintext = Buffer.from("same input");
    const a = seal(key, plaintext);
    const b = seal(key, plaintext);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  const regions: { name: string; offsets: (length: number) => number[]; code: SealErrorCode }[] = [
    { name: "version byte", offsets: () => [0], code: "bad-version" },
    { name: "IV", offsets: () => [1, 6, 12], code: "tampered" },
    { name: "tag", offsets: () => [13, 20, 28], code: "tampered" },
    { name: "ciphertext", offsets: (n) => [29, 40, n - 1], code: "tampered" },
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

  it("refuses a wrong key", () => {
    const sealed = seal(key, Buffer.from("some secret"));
    const other = generateEncryptionKey().key;
    try {
      open(other, sealed);
      expect.unreachable("opened with the wrong key");
    } catch (error) {
      expect(error).toBeInstanceOf(SealError);
      expect((error as SealError).code).toBe("tampered");
      expect((error as SealError).message).toMatch(/another key/);
      expect((error as SealError).cause).toBeInstanceOf(Error);
    }
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
