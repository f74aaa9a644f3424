import { describe, expect, it } from "vitest";
import { generateEncryptionKey } from "../../../src/lib/seal.js";
import {
  createRunLinker,
  deriveKey,
  linkExpiry,
  LINK_LIFETIME_DAYS,
  signGrant,
  verifyGrant,
} from "../../../src/lib/signed-link.js";

const RUN = "9398a81c-9656-4b6c-a174-2b91620083b3";
const NOW = Date.UTC(2026, 10, 22, 3, 7, 59);
const { key } = generateEncryptionKey();
const linkKey = deriveKey(key, "run-page links");

describe("signed run-page links", () => {
  it("verifies a grant it signed, until it expires", () => {
    const token = signGrant(linkKey, { scope: `run:${RUN}`, expiresAt: NOW / 1000 + 60 });
    expect(verifyGrant(linkKey, token, NOW)).toEqual({
      scope: `run:${RUN}`,
      expiresAt: NOW / 1000 + 60,
    });
    expect(verifyGrant(linkKey, token, NOW + 60_000)).toBeUndefined();
  });

  it.each([
    [
      "another key",
      (token: string) => token,
      deriveKey(generateEncryptionKey().key, "run-page links"),
    ],
    ["a key for another purpose", (token: string) => token, deriveKey(key, "run-page session")],
    [
      "a changed expiry",
      (token: string) => token.replace(/\.(\d+)\./, (_m, d: string) => `.${Number(d) + 1}.`),
      linkKey,
    ],
    [
      "another scope",
      (token: string) =>
        `${Buffer.from("run:00000000-0000-4000-8000-000000000000").toString("base64url")}${token.slice(token.indexOf("."))}`,
      linkKey,
    ],
    ["a truncated signature", (token: string) => token.slice(0, -1), linkKey],
    [
      "a signature respelt in the last character's unused bits",
      (token: string) => {
        const last = token.at(-1)!;
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
      },
      linkKey,
    ],
    ["garbage", () => "not-a-token", linkKey],
  ])("refuses %s", (_name, change, verifyingKey) => {
    const token = signGrant(linkKey, { scope: `run:${RUN}`, expiresAt: NOW / 1000 + 60 });
    expect(verifyGrant(verifyingKey, change(token), NOW)).toBeUndefined();
  });

  it("refuses a scope that is neither a run nor a repository", () => {
    const token = signGrant(linkKey, {
      scope: "run:../../etc" as `run:${string}`,
      expiresAt: NOW / 1000 + 60,
    });
    expect(verifyGrant(linkKey, token, NOW)).toBeUndefined();
  });

  it("gives every link of one day the same expiry, LINK_LIFETIME_DAYS after the day ends", () => {
    const endOfDay = Date.UTC(2026, 10, 23) / 1000;
    expect(linkExpiry(NOW)).toBe(endOfDay + LINK_LIFETIME_DAYS * 86_400);
    expect(linkExpiry(Date.UTC(2026, 10, 22, 23, 59, 59))).toBe(linkExpiry(NOW));
  });

  it("builds the run page URL with a token that grants that run", () => {
    const link = createRunLinker({
      publicUrl: "https://bosun.example",
      encryptionKey: key,
      now: () => NOW,
    });
    const url = new URL(link(RUN));
    expect(`${url.origin}${url.pathname}`).toBe(`https://bosun.example/runs/${RUN}`);
    expect(verifyGrant(linkKey, url.searchParams.get("token")!, NOW)?.scope).toBe(`run:${RUN}`);
    expect(link(RUN)).toBe(link(RUN));
  });
});
