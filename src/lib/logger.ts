import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";

/**
 * Where Bosun's credentials can sit in what is logged: its configuration's fields (GithubAppConfig,
 * GitHub sign-in, the encryption key, the database URL with its password), installation and OAuth
 * tokens, state credentials, and HTTP headers of requests (Bosun's to GitHub, carrying the
 * installation's token; people's to Bosun, carrying a session cookie). pino's `redact` matches
 * paths, with `*` for one level: each name is listed at the top level, one level down, and where
 * Bosun nests it deeper (an error's request, the configuration's sections).
 */
export const REDACTED_PATHS = [
  ...["privateKey", "webhookSecret", "clientSecret", "encryptionKey", "secret"].flatMap((name) => [
    name,
    `*.${name}`,
  ]),
  "*.github.privateKey",
  "*.github.webhookSecret",
  "*.githubSignIn.clientSecret",
  ...["token", "accessToken", "refreshToken", "password", "authorization"].flatMap((name) => [
    name,
    `*.${name}`,
  ]),
  "databaseUrl",
  "*.databaseUrl",
  "database.url",
  "*.database.url",
  ...["authorization", "cookie", "set-cookie"].flatMap((header) => [
    `headers.${header}`,
    `*.headers.${header}`,
    `*.request.headers.${header}`,
    `req.headers.${header}`,
  ]),
  // Webhook payloads are untrusted text of any size; they are stored, not logged.
  "payload",
  "*.payload",
];

/** What a redacted value is replaced with, as in masked text (src/lib/redact.ts). */
const CENSOR = "***";

/**
 * Structured logs. Anything that could carry a credential is censored by path (pino's `redact`)
 * as a second line of defence; the first is never logging such values at all.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { app: "bosun" },
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
  };
  // A command whose stdout is its product (`bosun state export`) logs to stderr instead.
  return destination ? pino(options, destination) : pino(options);
}
