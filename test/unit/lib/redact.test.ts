import { generateKeyPairSync } from "node:crypto";
import { Readable } from "node:stream";
import { text as collect } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import {
  createMasker,
  encodedForms,
  MASK,
  MIN_SECRET_LENGTH,
  openKeyBlockStart,
} from "../../../src/lib/redact.js";

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

// Credentials are assembled at run time so that no scanner mistakes this file for a leak.
const fake = (prefix: string, body: string) => prefix + body;
const pem = generateKeyPairSync("rsa", { modulusLength: 1024 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString()
  .trim();

describe("createMasker().maskText: well-known credential formats Bosun was never told", () => {
  const awsKeyId = fake("AKIA", "Z7VRSQ5TJN2UVQ3X");
  const awsSessionKeyId = fake("ASIA", "Q4WM2ZC7NXR5TB8K");
  const awsSecret = "Zk3nW8pLq2Rt5Vx7Yb9Cd1Ef3Gh5Jk7Lm9Np1Qr3";
  it.each([
    ["an AWS access key id", `key id ${awsKeyId} in use`, `key id ${MASK} in use`],
    ["an AWS session key id", `id=${awsSessionKeyId}`, `id=${MASK}`],
    [
      "an AWS secret access key in its usual setting",
      `aws_secret_access_key = ${awsSecret}\nnext`,
      `${MASK}\nnext`,
    ],
    ["a quoted AWS secret access key", `"AWS_SECRET_ACCESS_KEY": "${awsSecret}"`, `${MASK}"`],
    ...["ghp_", "gho_", "ghu_", "ghs_", "ghr_"].map((prefix): [string, string, string] => [
      `a GitHub ${prefix} token`,
      `token ${fake(prefix, "x".repeat(36))} ok`,
      `token ${MASK} ok`,
    ]),
    [
      "a GitHub fine-grained token",
      `pat=${fake("github_pat_", "11AB".repeat(20) + "cd")}`,
      `pat=${MASK}`,
    ],
    [
      "a Slack bot token",
      `slack ${fake("xoxb-", "123456789012-1234567890123-abcdefghijABCDEFGHIJabcd")}`,
      `slack ${MASK}`,
    ],
    [
      "a Slack user token",
      `slack ${fake("xoxp-", "1234567890-1234567890-1234567890-abcdef0123456789abcdef0123456789")}`,
      `slack ${MASK}`,
    ],
    [
      "a Slack app token",
      `slack ${fake("xapp-", "1-A0123456789-1234567890123-abcdef0123456789abcdef0123456789")} end`,
      `slack ${MASK} end`,
    ],
    [
      "a Slack webhook",
      `posting to ${fake("https://hooks.slack.com/services/", "T01234567/B01234567/abcdefghijABCDEFGHIJabcd")}`,
      `posting to ${MASK}`,
    ],
    ["a PEM private key", `key:\n${pem}\ndone`, `key:\n${MASK}\ndone`],
    [
      "a GCP service account key",
      JSON.stringify({ type: "service_account", private_key_id: "1f2e", private_key: `${pem}\n` }),
      `{"type":"service_account","private_key_id":"1f2e","private_key":"${MASK}"}`,
    ],
    [
      "a URL with user and password",
      "fetching https://deploy:Tr0ub4dor3@git.example.com/repo.git",
      `fetching ${MASK}`,
    ],
    [
      "a database URL with a password",
      "connecting to postgres://bosun:Sup3rS3cret@db.internal:5432/bosun",
      `connecting to ${MASK}`,
    ],
    [
      "a Basic authorization header",
      `Authorization: Basic ${Buffer.from("deploy:Tr0ub4dor3").toString("base64")}`,
      `Authorization: Basic ${MASK}`,
    ],
    [
      "a Bosun API token",
      `curl -H "Authorization: Bearer ${fake("bosun_", "Zm9v".repeat(10) + "YmE")}" …`,
      `curl -H "Authorization: Bearer ${MASK}" …`,
    ],
  ])("masks %s", async (_format, text, expected) => {
    expect(await createMasker().maskText(text)).toBe(expected);
  });

  it("cannot be switched off by what the engine prints", async () => {
    const token = fake("ghp_", "y".repeat(36));
    expect(
      await createMasker().maskText(
        `# secretlint-disable-line\n${token} // secretlint-disable-line`,
      ),
    ).not.toContain(token);
  });

  it("leaves ordinary engine output alone", async () => {
    const line =
      '{"@level":"info","@message":"aws_instance.web: Creation complete after 2s [id=i-0abc123def4567890]","type":"apply_complete"}';
    expect(await createMasker().maskText(line)).toBe(line);
  });
});

describe("createMasker(): every encoding of a known secret", () => {
  const secret = "correct-horse-battery-staple";

  it.each([0, 1, 2, 3, 4, 5])(
    "masks its base64 inside a larger block, %i bytes in",
    async (offset) => {
      const masker = createMasker([secret]);
      for (const alphabet of ["base64", "base64url"] as const) {
        const before = Buffer.from("user:ab".slice(0, offset));
        const block = Buffer.concat([before, Buffer.from(secret), Buffer.from("@host")]).toString(
          alphabet,
        );
        const masked = masker.mask(`Authorization: Basic ${block}`);
        expect(masked).toContain(MASK);
        // What is left around the mask encodes the neighbours, and at most two characters of
        // the secret's edges: never a run that decodes to part of it.
        const left = masked.replace("Authorization: Basic ", "").split(MASK);
        expect(left.join("").length).toBeLessThanOrEqual(
          block.length - Math.floor((4 * secret.length) / 3) + 2,
        );
        expect(await masker.maskText(`Authorization: Basic ${block}`)).not.toContain(
          Buffer.from(secret).toString(alphabet).slice(4, -4),
        );
      }
    },
  );

  it("masks plain, URL-encoded and JSON-escaped forms through maskText too", async () => {
    const masker = createMasker(['p@ss "word"/&<x>']);
    const text = [
      'plain p@ss "word"/&<x>',
      `url ${encodeURIComponent('p@ss "word"/&<x>')}`,
      `json ${JSON.stringify('p@ss "word"/&<x>')}`,
      'go "p@ss \\"word\\"/\\u0026\\u003cx\\u003e"',
    ].join("\n");
    expect(await masker.maskText(text)).toBe(
      [`plain ${MASK}`, `url ${MASK}`, `json "${MASK}"`, `go "${MASK}"`].join("\n"),
    );
  });
});

describe("createMasker().maskLogLines", () => {
  it("finds a private key printed over many lines and masks each of its lines", async () => {
    const lines = ["before", ...pem.split("\n"), "after"];
    const masked = await createMasker().maskLogLines(lines);
    expect(masked).toHaveLength(lines.length);
    expect(masked[0]).toBe("before");
    expect(masked.at(-1)).toBe("after");
    expect(masked.slice(1, -1).every((line) => line === MASK)).toBe(true);
  });

  it("masks known values and formats line by line, keeping the lines", async () => {
    const token = fake("ghs_", "z".repeat(36));
    const masked = await createMasker(["hunter22"]).maskLogLines(["a hunter22", "", `b ${token}`]);
    expect(masked).toEqual([`a ${MASK}`, "", `b ${MASK}`]);
  });
});

describe("openKeyBlockStart", () => {
  it("points at the line that opens a key block still open at the end", () => {
    const lines = pem.split("\n");
    expect(openKeyBlockStart(["x", ...lines.slice(0, 3)])).toBe(1);
    expect(openKeyBlockStart(["x", ...lines])).toBeUndefined();
    expect(openKeyBlockStart([JSON.stringify(pem)])).toBeUndefined();
    expect(openKeyBlockStart(["nothing here"])).toBeUndefined();
  });
});
