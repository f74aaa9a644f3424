import type { KeyObject } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  createKeyRing,
  generateEncryptionKey,
  type KeyRing,
  parseEncryptionKey,
} from "../lib/seal.js";
import type { RetentionSettings } from "../domain/retention.js";
import type { EngineMirror } from "../domain/engine-release.js";
import type { ProxySettings } from "../lib/proxy-agent.js";
import type { SandboxMode } from "./sandbox-mode.js";
import type { DatabaseTarget } from "./database-target.js";
import { describeEnvProblems, Env } from "./env.js";

export interface GithubAppConfig {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** REST API base, set only for GitHub Enterprise Server or a local stand-in (GHE_HOST). */
  baseUrl: string | undefined;
}

/** Signing in to the run pages with GitHub (the App's user authorization flow). */
export interface GithubSignInConfig {
  clientId: string;
  clientSecret: string;
  /** GitHub's web address (`https://github.com`, or GHE_PROTOCOL://GHE_HOST). */
  webUrl: string;
  /** GitHub's REST API root. */
  apiUrl: string;
}

export interface AppConfig {
  production: boolean;
  port: number;
  logLevel: Env["LOG_LEVEL"];
  webhookPath: string;
  /** Unset: no App credentials yet, so Bosun serves its health and setup pages only. */
  github: GithubAppConfig | undefined;
  /** Unset (no GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET): run pages open by signed link only. */
  githubSignIn: GithubSignInConfig | undefined;
  /** GitHub's web address (GHE_PROTOCOL://GHE_HOST or https://github.com), for links. */
  githubWebUrl: string;
  /** GitHub's REST API root (GHE_PROTOCOL://GHE_HOST/api/v3 or https://api.github.com). */
  githubApiUrl: string;
  database: DatabaseTarget;
  dataDir: string;
  /**
   * The newest key: what run-page links and sessions derive their keys from. Sealing and opening
   * take `encryptionKeys`.
   */
  encryptionKey: KeyObject;
  /** BOSUN_ENCRYPTION_KEYS (or BOSUN_ENCRYPTION_KEY alone): the newest seals, every one opens. */
  encryptionKeys: KeyRing;
  /** Said once at start when the key was generated for development. */
  encryptionKeyNotice: string | undefined;
  publicUrl: string;
  workers: number;
  engines: { opentofu: string; terraform: string };
  /** BOSUN_TERRAGRUNT_BIN: what `engine: terragrunt` stacks run their engine through. */
  terragrunt: string;
  /** BOSUN_ENGINE_DIR: the installed engine versions a stack's constraint is resolved against. */
  engineDir: string;
  /** BOSUN_ENGINE_MIRROR: where versions nothing installed satisfies are downloaded from. */
  engineMirror: EngineMirror;
  /** BOSUN_ENGINE_SIGNING_KEYS' armored keyring, trusted instead of the vendors' own keys. */
  engineSigningKeys: string | undefined;
  runTimeoutMs: number;
  /** A worker that has not shown a sign of life for this long has lost the phase it was running. */
  workerLeaseMs: number;
  /** A report job still running after this long is taken back (its worker died) and retried. */
  reportExpiryMs: number;
  /** BOSUN_SANDBOX and BOSUN_SANDBOX_PATHS: how engine runs are confined, and what else they see. */
  sandbox: { mode: SandboxMode; paths: string[] };
  /** BOSUN_ENGINE_PASSTHROUGH_ENV: host variables engines receive besides the fixed few. */
  enginePassthrough: string[];
  /** BOSUN_DRIFT_SCHEDULE: the drift checks of environments without a schedule of their own. */
  driftSchedule: string | undefined;
  notifications: NotificationSettings;
  /** BOSUN_RETENTION_*: what the daily garbage collection and `bosun gc` delete. */
  retention: RetentionSettings;
  /** BOSUN_METRICS_TOKEN: the bearer token `GET /metrics` asks for; unset, it is open. */
  metricsToken: string | undefined;
  /** BOSUN_METRICS_PORT: `/metrics` on a listener of its own instead of PORT's. */
  metricsPort: number | undefined;
  /** HTTP(S)_PROXY and NO_PROXY, for Bosun's own requests; undefined when no proxy is set. */
  proxy: ProxySettings | undefined;
}

/** Where run events go besides the repositories' own targets, and how they are delivered. */
export interface NotificationSettings {
  /** BOSUN_NOTIFY_URL and BOSUN_NOTIFY_SECRET: told of every event of every repository. */
  server: { url: string; secret: string } | undefined;
  /** BOSUN_NOTIFY_ALLOW_PRIVATE: repositories' targets may resolve to private addresses. */
  allowPrivate: boolean;
  timeoutMs: number;
  retryBaseMs: number;
  /** SLACK_BOT_TOKEN and SLACK_API_URL; undefined without a token. */
  slack: { token: string; apiUrl: string } | undefined;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  }
}

/** Parses the operator's variables; throws a ConfigError listing every problem, one per line. */
export async function loadConfig(environment: NodeJS.ProcessEnv): Promise<AppConfig> {
  const parsed = Env.safeParse(environment);
  if (!parsed.success) throw new ConfigError(describeEnvProblems(parsed.error));
  const env = parsed.data;
  const production = env.NODE_ENV === "production";
  const problems: string[] = [];
  const dataDir = path.resolve(env.BOSUN_DATA_DIR);

  const github = await readGithubConfig(env, problems);
  const key = await resolveEncryptionKey(env, production, dataDir, problems);
  const githubSignIn = readGithubSignIn(env, problems);
  for (const entry of env.BOSUN_SANDBOX_PATHS) {
    if (dataDir === entry || dataDir.startsWith(`${entry}/`)) {
      problems.push(
        `BOSUN_SANDBOX_PATHS: ${entry} holds BOSUN_DATA_DIR (${dataDir}); engines must never see it`,
      );
    }
  }
  if ((env.BOSUN_NOTIFY_URL === undefined) !== (env.BOSUN_NOTIFY_SECRET === undefined)) {
    problems.push(
      env.BOSUN_NOTIFY_URL === undefined
        ? "BOSUN_NOTIFY_URL: required with BOSUN_NOTIFY_SECRET"
        : "BOSUN_NOTIFY_SECRET: required with BOSUN_NOTIFY_URL (every delivery is signed)",
    );
  }
  const engineSigningKeys = await readEngineSigningKeys(env.BOSUN_ENGINE_SIGNING_KEYS, problems);
  if (problems.length > 0 || !key) throw new ConfigError(problems);

  return {
    production,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    webhookPath: env.WEBHOOK_PATH,
    github,
    githubSignIn,
    githubWebUrl: githubWebUrl(env),
    githubApiUrl: githubApiUrl(env),
    database: env.DATABASE_URL
      ? { kind: "postgres", url: env.DATABASE_URL }
      : { kind: "pglite", dataDir: path.join(dataDir, "pgdata") },
    dataDir,
    encryptionKey: key.keys.newest.key,
    encryptionKeys: key.keys,
    encryptionKeyNotice: key.notice,
    publicUrl: (env.BOSUN_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
    workers: env.BOSUN_WORKERS,
    engines: { opentofu: env.BOSUN_TOFU_BIN, terraform: env.BOSUN_TERRAFORM_BIN },
    terragrunt: env.BOSUN_TERRAGRUNT_BIN,
    engineDir: path.resolve(env.BOSUN_ENGINE_DIR ?? path.join(dataDir, "engines")),
    engineMirror: env.BOSUN_ENGINE_MIRROR,
    engineSigningKeys,
    runTimeoutMs: env.BOSUN_RUN_TIMEOUT,
    workerLeaseMs: env.BOSUN_WORKER_LEASE,
    reportExpiryMs: env.BOSUN_REPORT_EXPIRY,
    sandbox: { mode: env.BOSUN_SANDBOX, paths: env.BOSUN_SANDBOX_PATHS },
    enginePassthrough: env.BOSUN_ENGINE_PASSTHROUGH_ENV,
    driftSchedule: env.BOSUN_DRIFT_SCHEDULE,
    retention: {
      "webhook-payloads": env.BOSUN_RETENTION_WEBHOOK_PAYLOADS,
      "phase-logs": env.BOSUN_RETENTION_PHASE_LOGS,
      plans: env.BOSUN_RETENTION_PLANS,
      tarballs: env.BOSUN_RETENTION_TARBALLS,
      "state-versions": env.BOSUN_RETENTION_STATE_VERSIONS,
    },
    notifications: {
      server:
        env.BOSUN_NOTIFY_URL && env.BOSUN_NOTIFY_SECRET
          ? { url: env.BOSUN_NOTIFY_URL, secret: env.BOSUN_NOTIFY_SECRET }
          : undefined,
      allowPrivate: env.BOSUN_NOTIFY_ALLOW_PRIVATE,
      timeoutMs: env.BOSUN_NOTIFY_TIMEOUT,
      retryBaseMs: env.BOSUN_NOTIFY_RETRY_BASE,
      slack: env.SLACK_BOT_TOKEN
        ? { token: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL }
        : undefined,
    },
    metricsToken: env.BOSUN_METRICS_TOKEN,
    metricsPort: env.BOSUN_METRICS_PORT,
    proxy: proxySettings(env),
  };
}

async function readGithubConfig(
  env: Env,
  problems: string[],
): Promise<GithubAppConfig | undefined> {
  let privateKey = env.PRIVATE_KEY;
  if (!privateKey && env.PRIVATE_KEY_PATH) {
    try {
      privateKey = await readFile(env.PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      problems.push(
        `PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  // .env files often carry the PEM on one line with literal "\n".
  privateKey = privateKey?.replace(/\\n/g, "\n");
  if (privateKey && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    problems.push("PRIVATE_KEY: must be a PEM private key (-----BEGIN RSA PRIVATE KEY-----)");
  }
  const given = { APP_ID: env.APP_ID, PRIVATE_KEY: privateKey, WEBHOOK_SECRET: env.WEBHOOK_SECRET };
  const missing = Object.entries(given)
    .filter(([, value]) => !value)
    .map(([name]) => name);
  // None at all is setup mode, in production too: the setup page registers the App and shows
  // its credentials once. Some but not all is a mistake, refused.
  if (missing.length === 3) return undefined;
  for (const name of missing) {
    problems.push(`${name}: required with the other GitHub App credentials`);
  }
  if (!env.APP_ID || !privateKey || !env.WEBHOOK_SECRET) return undefined;
  return {
    appId: Number(env.APP_ID),
    privateKey,
    webhookSecret: env.WEBHOOK_SECRET,
    baseUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : undefined,
  };
}

/** BOSUN_ENGINE_SIGNING_KEYS' text; the downloader reads the keys in it when the worker starts. */
async function readEngineSigningKeys(
  file: string | undefined,
  problems: string[],
): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    const text = await readFile(file, "utf8");
    if (text.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) return text;
    problems.push(`BOSUN_ENGINE_SIGNING_KEYS: ${file} holds no armored OpenPGP public key block`);
  } catch (error) {
    problems.push(
      `BOSUN_ENGINE_SIGNING_KEYS: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  return undefined;
}

/** The lower-case spelling wins, as curl reads them; NO_PROXY alone changes nothing. */
function proxySettings(env: Env): ProxySettings | undefined {
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY;
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY;
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  return { httpProxy, httpsProxy, noProxy: env.no_proxy ?? env.NO_PROXY };
}

function githubWebUrl(env: Env): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}` : "https://github.com";
}

function githubApiUrl(env: Env): string {
  return env.GHE_HOST ? `${githubWebUrl(env)}/api/v3` : "https://api.github.com";
}

function readGithubSignIn(env: Env, problems: string[]): GithubSignInConfig | undefined {
  const { GITHUB_CLIENT_ID: clientId, GITHUB_CLIENT_SECRET: clientSecret } = env;
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    problems.push(
      `${clientId ? "GITHUB_CLIENT_SECRET" : "GITHUB_CLIENT_ID"}: required with the other GitHub OAuth variable`,
    );
    return undefined;
  }
  return { clientId, clientSecret, webUrl: githubWebUrl(env), apiUrl: githubApiUrl(env) };
}

const KEY_FILE = "encryption-key";

async function resolveEncryptionKey(
  env: Env,
  production: boolean,
  dataDir: string,
  problems: string[],
): Promise<{ keys: KeyRing; notice: string | undefined } | undefined> {
  if (env.BOSUN_ENCRYPTION_KEYS || env.BOSUN_ENCRYPTION_KEY) {
    const keys = configuredKeys(env, problems);
    return keys && { keys, notice: undefined };
  }
  if (production) {
    problems.push(
      "BOSUN_ENCRYPTION_KEY: required in production (generate one: openssl rand -base64 32)",
    );
    return undefined;
  }
  const keyPath = path.join(dataDir, KEY_FILE);
  const existing = await readFile(keyPath, "utf8").catch(() => undefined);
  if (existing !== undefined) {
    const key = decodeKey(existing.trim());
    if (!key)
      problems.push(
        `BOSUN_ENCRYPTION_KEY: unset, and the development key in ${keyPath} is damaged`,
      );
    return key && { keys: createKeyRing([key]), notice: undefined };
  }
  const { key, text } = generateEncryptionKey();
  await mkdir(dataDir, { recursive: true });
  await writeFile(keyPath, `${text}\n`, { mode: 0o600, flag: "wx" });
  await chmod(keyPath, 0o600);
  return {
    keys: createKeyRing([key]),
    notice: `BOSUN_ENCRYPTION_KEY is unset: generated a development key and kept it in ${keyPath}; set BOSUN_ENCRYPTION_KEY in production`,
  };
}

/**
 * BOSUN_ENCRYPTION_KEYS, newest first, or BOSUN_ENCRYPTION_KEY alone. Both may be set while a
 * deployment moves from one to the other, as long as they agree on the key that seals: then
 * BOSUN_ENCRYPTION_KEY must be the first of BOSUN_ENCRYPTION_KEYS. Problems name the key by its
 * position, never by its text.
 */
function configuredKeys(env: Env, problems: string[]): KeyRing | undefined {
  const single = env.BOSUN_ENCRYPTION_KEY;
  const listed = env.BOSUN_ENCRYPTION_KEYS?.split(",").map((entry) => entry.trim());
  if (!listed) {
    const key = decodeKey(single ?? "");
    if (!key)
      problems.push("BOSUN_ENCRYPTION_KEY: must be 32 bytes, as base64 or 64 hex characters");
    return key && createKeyRing([key]);
  }
  const keys = listed.map(decodeKey);
  keys.forEach((key, index) => {
    if (!key) {
      problems.push(
        `BOSUN_ENCRYPTION_KEYS: key ${index + 1} of ${listed.length} must be 32 bytes, as base64 or 64 hex characters`,
      );
    }
  });
  const parsed = keys.filter((key): key is KeyObject => key !== undefined);
  if (parsed.length !== keys.length) return undefined;
  const singleKey = single === undefined ? undefined : decodeKey(single);
  if (single !== undefined && !singleKey?.equals(parsed[0]!)) {
    problems.push(
      "BOSUN_ENCRYPTION_KEY: set beside BOSUN_ENCRYPTION_KEYS, it must be the first (newest) of them; set only BOSUN_ENCRYPTION_KEYS",
    );
    return undefined;
  }
  try {
    return createKeyRing(parsed);
  } catch {
    problems.push("BOSUN_ENCRYPTION_KEYS: the same key is listed twice");
    return undefined;
  }
}

function decodeKey(text: string): KeyObject | undefined {
  try {
    return parseEncryptionKey(text);
  } catch {
    return undefined;
  }
}
