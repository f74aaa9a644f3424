import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import type { SecretLintCoreConfig, SecretLintRuleCreator } from "@secretlint/types";
import { API_TOKEN_PATTERN } from "./api-token-format.js";

/** A [start, end) range of a text. */
export type TextRange = readonly [start: number, end: number];

/**
 * A secretlint rule reporting every match of `pattern` (global), the credential being capture
 * group 1 when the pattern has one, else the whole match.
 */
function patternRule(id: string, finding: string, pattern: RegExp): SecretLintRuleCreator {
  return {
    messages: { Found: { en: () => finding } },
    meta: { id, type: "scanner", recommended: true, supportedContentTypes: ["text"] },
    create(context) {
      const t = context.createTranslator(this.messages);
      return {
        file(source) {
          for (const match of source.content.matchAll(pattern)) {
            const secret = match[1] ?? match[0];
            const start = (match.index ?? 0) + match[0].length - secret.length;
            context.report({ message: t("Found"), range: [start, start + secret.length] });
          }
        },
      };
    },
  };
}

/**
 * `Authorization: Basic <base64 of user:password>`. secretlint's basicauth rule finds credentials
 * in URLs (`https://user:password@host`) but not in the header, which is how HTTP clients print
 * them in debug logs (TF_LOG, provider request dumps); this rule runs in the same scan.
 */
const basicAuthHeader = patternRule(
  "bosun/basic-auth-header",
  "found a Basic authorization header",
  /\bAuthorization["']?\s*[:=]\s*["']?Basic\s+([A-Za-z0-9+/]{4,2048}={0,2})/gi,
);

/** Bosun's own API tokens (`bosun tokens create`): a token pasted into a run's log is masked. */
const bosunApiToken = patternRule("bosun/api-token", "found a Bosun API token", API_TOKEN_PATTERN);

const config: SecretLintCoreConfig = {
  rules: [
    {
      id: "@secretlint/secretlint-rule-preset-recommend",
      rule: recommended,
      rules: [
        // Access key ids (AKIA…, ASIA…) are off by default in secretlint, which lints source
        // code; in a log they name the secret key printed next to them.
        { id: "@secretlint/secretlint-rule-aws", options: { enableIDScanRule: true } },
        // "secretlint-disable" comments would let whatever the engine prints switch masking off.
        { id: "@secretlint/secretlint-rule-filter-comments", disabled: true },
      ],
    },
    { id: basicAuthHeader.meta.id, rule: basicAuthHeader },
    { id: bosunApiToken.meta.id, rule: bosunApiToken },
  ],
};

/**
 * Where `text` holds a credential of a well-known format, whether or not Bosun knows its value:
 * the rules of secretlint's recommended preset (AWS access keys and secret keys, GCP service
 * account keys, GitHub, Slack, npm, OpenAI, Anthropic, SendGrid, Shopify, Linear and 1Password
 * tokens, PEM private keys, basic-auth URLs, database connection strings), Basic
 * authorization headers and Bosun's own API tokens. secretlint's API is asynchronous, hence so
 * is this.
 */
export async function findCredentials(text: string): Promise<TextRange[]> {
  if (text.length === 0) return [];
  const result = await lintSource({
    source: { content: text, filePath: "engine.log", ext: ".log", contentType: "text" },
    options: { config, noPhysicFilePath: true },
  });
  return result.messages.map(
    (message) => [message.range[0], tokenEnd(text, message.range[1])] as const,
  );
}

/**
 * The end of the token a range ends in. Some rules report a range shorter than what they found
 * (the AWS secret-key rule reports the key's length from the start of `aws_secret_access_key`),
 * and a half-masked key is a leaked half; so a range always runs on to the next delimiter.
 */
function tokenEnd(text: string, end: number): number {
  const rest = /[^\s"'`,;<>()[\]{}]*/y;
  rest.lastIndex = end;
  rest.exec(text);
  return rest.lastIndex;
}
