import { Readable } from "node:stream";
import { text as collect } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { createMasker, encodedForms, MASK, MIN_SECRET_LENGTH } from "../../../src/runner/redact.js";

async function throughLines(masker: ReturnType<typeof createMasker>, chunks: (string | Buffer)[]) {
  return collect(Readable.from(chunks, { objectMode: false }).pipe(masker.maskLines()));
}

describe("createMasker().mask", () => {
  it.each([
    ["a plain occurrence", ["hunter22"], "password=hunter22;", `password=${MASK};`],
    ["every occurrence", ["hunter22"], "hunter22 hunter22", `${MASK} ${MASK}`],
    ["nothing when there is no secret", [], "hunter22", "hunter22"],
    [
      "nested secrets, longest first",
      ["abcd", "xxabcdyy"],
      "1 xxabcdyy 2 abcd",
      `1 ${MASK} 2 ${MASK}`,
    ],
    ["overlapping secrets as one span", ["abcdef", "defghi"], "<abcdefghi>", `<${MASK}>`],
    ["overlapping occurrences of one secret", ["abab"], "ababab!", `${MASK}!`],
    [
      "regex metacharacters literally",
      ["a.b*c+?(d)[e]{2}|^$\\"],
      "x a.b*c+?(d)[e]{2}|^$\\ y",
      `x ${MASK} y`,
    ],
    ["no false positives from metacharacters", ["a.b*"], "axbbbb a.b*", `axbbbb ${MASK}`],
    ["unicode secrets", ["pässwörd✓"], "p=pässwörd✓", `p=${MASK}`],
  ])("masks %s", (_case, secrets, input, expected) => {
    expect(createMasker(secrets).mask(input)).toBe(expected);
  });

  it(`ignores values shorter than ${MIN_SECRET_LENGTH} characters`, () => {
    const masker = createMasker(["", "a", "abc", "abcd"]);
    expect(masker.mask("a abc abcd")).toBe(`a abc ${MASK}`);
    expect(encodedForms("abc")).toEqual([]);
  });

  it("masks values added after it was made", () => {
    const masker = createMasker(["first-secret"]);
    expect(masker.mask("first-secret later-secret")).toBe(`${MASK} later-secret`);
    masker.add("later-secret", "x");
    expect(masker.mask("first-secret later-secret")).toBe(`${MASK} ${MASK}`);
  });

  it("masks base64 forms", () => {
    const secret = "s3cr3t-token?>";
    const masker = createMasker([secret]);
    const b64 = Buffer.from(secret).toString("base64");
    const b64url = Buffer.from(secret).toString("base64url");
    expect(b64).not.toBe(b64url);
    expect(masker.mask(`Authorization: Basic ${b64}`)).toBe(`Authorization: Basic ${MASK}`);
    expect(masker.mask(`token=${b64url}`)).toBe(`token=${MASK}`);
    expect(masker.mask(`unpadded=${b64.replace(/=+$/, "")}.`)).toBe(`unpadded=${MASK}.`);
  });

  it("masks URL-encoded forms", () => {
    const secret = "p@ss word/with&chars";
    const masker = createMasker([secret]);
    const encoded = encodeURIComponent(secret);
    expect(masker.mask(`https://host/?pw=${encoded}&x=1`)).toBe(`https://host/?pw=${MASK}&x=1`);
    // The secret has no upper-case letters, so this lower-cases only the percent escapes.
    expect(masker.mask(`pw=${encoded.toLowerCase()}`)).toBe(`pw=${MASK}`);
    expect(masker.mask(`pw=${encoded.replace(/%20/g, "+")}`)).toBe(`pw=${MASK}`);
  });

  it("masks the JSON-escaped form of a secret with quotes and backslashes", () => {
    const secret = 'pa"ss\\word\ttab';
    const masker = createMasker([secret]);
    const json = JSON.stringify({ password: secret, other: "visible" });
    expect(json).not.toContain(secret);
    const masked = masker.mask(json);
    expect(masked).toBe(`{"password":"${MASK}","other":"visible"}`);
    expect(JSON.parse(masked)).toEqual({ password: MASK, other: "visible" });
  });

  it("masks the form Go's encoding/json writes (HTML characters escaped)", () => {
    const secret = 'a<b>&c"d';
    const goJson = '{"value":"a\\u003cb\\u003e\\u0026c\\"d"}';
    expect(createMasker([secret]).mask(goJson)).toBe(`{"value":"${MASK}"}`);
  });

  it("masks each line of a multi-line secret", () => {
    const pem =
      "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0\nAQEFAASCBKcwggSjAgEAAo\n-----END KEY-----";
    const masker = createMasker([pem]);
    expect(masker.mask(`key: ${pem}`)).toBe(`key: ${MASK}`);
    expect(masker.mask("line AQEFAASCBKcwggSjAgEAAo in a log")).toBe(`line ${MASK} in a log`);
    expect(masker.mask(JSON.stringify(pem))).toBe(`"${MASK}"`);
  });
});

describe("createMasker().maskLines", () => {
  it("masks a streamed log line by line, across chunk boundaries", async () => {
    const masker = createMasker(["hunter22"]);
    const out = await throughLines(masker, [
      "user: a\npass",
      "word: hun",
      "ter22\nend: hun",
      "ter22",
    ]);
    expect(out).toBe(`user: a\npassword: ${MASK}\nend: ${MASK}`);
  });

  it("keeps line endings, empty lines and a trailing break", async () => {
    const masker = createMasker(["hunter22"]);
    const out = await throughLines(masker, ["a\r\n\r\nhunter22\r\n", "\n"]);
    expect(out).toBe(`a\r\n\r\n${MASK}\r\n\n`);
  });

  it("does not split multi-byte characters at chunk boundaries", async () => {
    const masker = createMasker(["pässwörd"]);
    const bytes = Buffer.from("x pässwörd y\n", "utf8");
    const split = bytes.indexOf(Buffer.from("ä", "utf8")) + 1;
    const out = await throughLines(masker, [bytes.subarray(0, split), bytes.subarray(split)]);
    expect(out).toBe(`x ${MASK} y\n`);
  });

  it("masks values added while the stream runs, from the next line on", async () => {
    const masker = createMasker([]);
    const stream = masker.maskLines();
    const out = collect(stream);
    stream.write("sensitive-output before\n");
    masker.add("sensitive-output");
    stream.write("sensitive-output after\n");
    stream.end();
    expect(await out).toBe(`sensitive-output before\n${MASK} after\n`);
  });

  it("never matches across a line break", async () => {
    const masker = createMasker(["ab\ncd", "abcd"]);
    // "ab\ncd" is two lines of fewer than four characters each: no form of it fits on one
    // line, so line-wise masking leaves them, and does not glue them into "abcd".
    const out = await throughLines(masker, ["ab\ncd\n"]);
    expect(out).toBe("ab\ncd\n");
  });

  it("flushes an endless line in parts without cutting through a secret", async () => {
    const secret = "0123456789-secret";
    const masker = createMasker([secret]);
    const filler = "x".repeat(1024 * 1024 - 5);
    // The secret straddles the point where the pending line is first flushed.
    const out = await throughLines(masker, [
      filler,
      `${secret}yyy`,
      "x".repeat(2 * 1024 * 1024),
      "\n",
    ]);
    expect(out).toBe(`${filler}${MASK}yyy${"x".repeat(2 * 1024 * 1024)}\n`);
    expect(out).not.toContain("secret");
  });
});
