import path from "node:path";
import { z } from "zod";
import { enginePassthrough } from "./engine-passthrough.js";
import { SANDBOX_MODES } from "./sandbox-mode.js";
import { parseDuration } from "./duration.js";
import { cronProblem } from "../domain/drift-schedule.js";
import type { EngineMirror } from "../domain/engine-release.js";

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .pipe(z.string())
  .optional()
  .transform((value) => (value === "" ? undefined : value));

const port = z.coerce
  .number<string | undefined>({ error: "must be a port number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

const logLevel = z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], {
  error: "must be one of trace, debug, info, warn, error, fatal, silent",
});

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
    error: "must be a postgres:// or postgresql:// connection URL",
  });

const engineMirror = z
  .union([
    z.literal("off"),
    z.url({
      protocol: /^https?$/,
      error: "must be off or the http(s) URL of a mirror of the engines' releases",
    }),
  ])
  .optional()
  .transform((value): EngineMirror => {
    if (value === undefined) return { kind: "official" };
    if (value === "off") return { kind: "off" };
    return { kind: "mirror", url: value.replace(/\/+$/, "") };
  });

/** BOSUN_RUN_TIMEOUT when unset: an hour. */
export const DEFAULT_RUN_TIMEOUT_MS = 3_600_000;

/** BOSUN_REPORT_EXPIRY when unset: a report takes seconds, so a minute means its worker is gone. */
export const DEFAULT_REPORT_EXPIRY_MS = 60_000;

const duration = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: "must be a duration such as 90s, 30m or 1h" });
    return z.NEVER;
  }
  return ms;
});

/** A cron expression, refused with the reason it is not one. */
const cronSchedule = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * Extra read-only paths for sandboxed engines, `:`-separated. Absolute, since the sandbox binds
 * them at the same place; never `/`, which would show the engine the whole host again.
 */
const sandboxPaths = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const paths = (value ?? "").split(":").filter((entry) => entry !== "");
    for (const entry of paths) {
      if (!path.isAbsolute(entry)) {
        ctx.addIssue({ code: "custom", message: `${entry}: must be an absolute path` });
      } else if (path.resolve(entry) === "/") {
        ctx.addIssue({ code: "custom", message: "/ would show engines the whole host" });
      }
    }
    return paths.map((entry) => path.resolve(entry));
  });

/**
 * A Standard Webhooks signing secret: `whsec_` and the base64 of at least 24 random bytes, the form
 * the specification's libraries generate and accept.
 */
const webhookSecret = z.string().refine(
  (value) => {
    const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
    return match !== null && Buffer.from(match[1]!, "base64").length >= 24;
  },
  {
    error:
      "must be a Standard Webhooks secret: whsec_ followed by the base64 of 24 to 64 random bytes (openssl rand -base64 32)",
  },
);

const booleanText = z.enum(["true", "false"], { error: "must be true or false" });

const DAY_MS = 86_400_000;

/** A retention period (`30d`, `36h`) or `off` (keep everything), at least `leastMs`. */
const retentionAge = (defaultAge: string, leastMs = 3_600_000, why = "1h") =>
  z
    .string()
    .default(defaultAge)
    .transform((value, ctx): { maxAgeMs: number } | undefined => {
      if (value === "off") return undefined;
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: "must be a period such as 30d or 36h, or off" });
        return z.NEVER;
      }
      if (ms < leastMs) {
        ctx.addIssue({ code: "custom", message: `must be at least ${why}` });
        return z.NEVER;
      }
      return { maxAgeMs: ms };
    });

/** State versions: keep the N newest of each component (`10`), or those younger than a period. */
const stateVersionRetention = z
  .string()
  .default("off")
  .transform((value, ctx): { maxAgeMs: number } | { keepNewest: number } | undefined => {
    if (value === "off") return undefined;
    if (/^\d+$/.test(value)) {
      const keepNewest = Number(value);
      if (keepNewest >= 1 && Number.isSafeInteger(keepNewest)) return { keepNewest };
      ctx.addIssue({
        code: "custom",
        message: "must keep at least 1 version (the latest is never deleted)",
      });
      return z.NEVER;
    }
    const ms = parseDuration(value);
    if (ms === undefined || ms < DAY_MS) {
      ctx.addIssue({
        code: "custom",
        message: "must be a number of versions to keep (10), a period of at least 1d (90d), or off",
      });
      return z.NEVER;
    }
    return { maxAgeMs: ms };
  });

/** Bosun's own variables: its configuration and credentials, none of which an engine receives. */
const ownVariables = {
  NODE_ENV: optionalText,
  APP_ID: optionalText.pipe(
    z.string().regex(/^\d+$/, "must be the numeric GitHub App id").optional(),
  ),
  PRIVATE_KEY: optionalText,
  PRIVATE_KEY_PATH: optionalText,
  WEBHOOK_SECRET: optionalText,
  WEBHOOK_PATH: optionalText.pipe(
    z.string().startsWith("/", "must start with /").default("/api/github/webhooks"),
  ),
  PORT: optionalText.pipe(port.default(3000)),
  LOG_LEVEL: optionalText.pipe(logLevel.default("info")),
  GHE_HOST: optionalText.pipe(
    z
      .string()
      .regex(/^[a-zA-Z0-9.-]+(:\d+)?$/, "must be a host name (and optional port), without scheme")
      .optional(),
  ),
  GHE_PROTOCOL: optionalText.pipe(
    z.enum(["http", "https"], { error: "must be http or https" }).default("https"),
  ),
  /** The GitHub App's OAuth client (its "Client ID" and a client secret): run-page sign-in. */
  GITHUB_CLIENT_ID: optionalText,
  GITHUB_CLIENT_SECRET: optionalText,
  DATABASE_URL: optionalText.pipe(postgresUrl.optional()),
  BOSUN_DATA_DIR: optionalText.pipe(z.string().default(".bosun")),
  BOSUN_ENCRYPTION_KEY: optionalText,
  /** Several keys, `,`-separated, newest first: the newest seals, every one opens (key rotation). */
  BOSUN_ENCRYPTION_KEYS: optionalText,
  BOSUN_PUBLIC_URL: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  ),
  BOSUN_WORKERS: optionalText.pipe(
    z.coerce
      .number<string | undefined>({ error: "must be a whole number" })
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .max(64, "must be 64 or fewer")
      .default(2),
  ),
  BOSUN_TOFU_BIN: optionalText.pipe(z.string().default("tofu")),
  BOSUN_TERRAFORM_BIN: optionalText.pipe(z.string().default("terraform")),
  /** Terragrunt, for stacks with `engine: terragrunt`: an executable's name on PATH, or its path. */
  BOSUN_TERRAGRUNT_BIN: optionalText.pipe(
    z
      .string()
      .refine((value) => !value.startsWith("-"), "must be an executable's name or path, not a flag")
      .refine(
        // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
        (value) => !/[\u0000-\u001f\u007f]/.test(value),
        "must not contain control characters",
      )
      .default("terragrunt"),
  ),
  /** Installed engine versions; unset: BOSUN_DATA_DIR/engines (src/config/load-config.ts). */
  BOSUN_ENGINE_DIR: optionalText,
  /** Where missing engine versions come from; unset: the official release sites. */
  BOSUN_ENGINE_MIRROR: optionalText.pipe(engineMirror),
  /** An armored OpenPGP keyring trusted instead of the vendors' keys (a mirror that re-signs). */
  BOSUN_ENGINE_SIGNING_KEYS: optionalText,
  BOSUN_RUN_TIMEOUT: optionalText.pipe(duration.default(DEFAULT_RUN_TIMEOUT_MS)),
  BOSUN_WORKER_LEASE: optionalText.pipe(duration.default(30_000)),
  BOSUN_REPORT_EXPIRY: optionalText.pipe(
    duration.pipe(z.number().min(1000, "must be at least 1s")).default(DEFAULT_REPORT_EXPIRY_MS),
  ),
  BOSUN_SANDBOX: optionalText.pipe(
    z.enum(SANDBOX_MODES, { error: "must be auto, required or off" }).default("auto"),
  ),
  BOSUN_SANDBOX_PATHS: optionalText.pipe(sandboxPaths),
  /** Drift checks of every environment that sets no `drift.schedule` of its own; unset: none. */
  BOSUN_DRIFT_SCHEDULE: optionalText.pipe(cronSchedule.optional()),
  /** The operator's server-wide notification webhook: trusted as given, private addresses too. */
  BOSUN_NOTIFY_URL: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  ),
  BOSUN_NOTIFY_SECRET: optionalText.pipe(webhookSecret.optional()),
  /** Lets repositories' webhook targets reach loopback, private and link-local addresses. */
  BOSUN_NOTIFY_ALLOW_PRIVATE: optionalText.pipe(
    booleanText.default("false").transform((value) => value === "true"),
  ),
  /** How long one delivery attempt may take before it counts as failed. */
  BOSUN_NOTIFY_TIMEOUT: optionalText.pipe(duration.default(10_000)),
  /** The first retry's delay; each later one doubles it (with jitter), for a day. */
  BOSUN_NOTIFY_RETRY_BASE: optionalText.pipe(
    duration
      .pipe(z.number().max(20_000, "must be at most 20s: the first retry comes within 30s"))
      .default(5_000),
  ),
  /**
   * Retention (README "Retention"): how long each kind of data is kept before `collectGarbage`
   * (a daily job, and `bosun gc`) deletes it. A processed webhook's payload outlives GitHub's own
   * 3 days of deliveries, which `bosun deliveries replay` compares with what Bosun recorded.
   */
  BOSUN_RETENTION_WEBHOOK_PAYLOADS: optionalText.pipe(
    retentionAge(
      "30d",
      3 * DAY_MS,
      "3d (GitHub keeps deliveries 3 days, and replay compares against them)",
    ),
  ),
  BOSUN_RETENTION_PHASE_LOGS: optionalText.pipe(retentionAge("90d")),
  BOSUN_RETENTION_PLANS: optionalText.pipe(retentionAge("14d")),
  BOSUN_RETENTION_TARBALLS: optionalText.pipe(retentionAge("7d")),
  BOSUN_RETENTION_STATE_VERSIONS: optionalText.pipe(stateVersionRetention),
  /** When set, `GET /metrics` answers only `Authorization: Bearer <this>`; unset, it is open. */
  BOSUN_METRICS_TOKEN: optionalText.pipe(
    z.string().min(16, "must be at least 16 characters (openssl rand -hex 32)").optional(),
  ),
  /** Serves `GET /metrics` on this port instead of PORT (and in `bosun worker`); unset: on PORT. */
  BOSUN_METRICS_PORT: optionalText.pipe(port.optional()),
  SLACK_BOT_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^xox[a-z]-[A-Za-z0-9-]+$/, "must be a Slack bot token (xoxb-…)")
      .optional(),
  ),
  SLACK_API_URL: optionalText.pipe(
    z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://slack.com/api/" })
      .default("https://slack.com/api/"),
  ),
};

const proxyUrl = optionalText.pipe(
  z.url({ protocol: /^https?$/, error: "must be an http:// or https:// proxy URL" }).optional(),
);

/**
 * Where Bosun's own outgoing requests go (src/lib/proxy-agent.ts). Not Bosun's own variables:
 * engines may be given them too (BOSUN_ENGINE_PASSTHROUGH_ENV), for providers behind the proxy.
 */
const proxyVariables = {
  HTTP_PROXY: proxyUrl,
  http_proxy: proxyUrl,
  HTTPS_PROXY: proxyUrl,
  https_proxy: proxyUrl,
  NO_PROXY: optionalText,
  no_proxy: optionalText,
};

/** The operator's variables (docs/design.md "Operator's interface"), as they arrive in the environment. */
export const Env = z.object({
  ...ownVariables,
  ...proxyVariables,
  BOSUN_ENGINE_PASSTHROUGH_ENV: optionalText.pipe(enginePassthrough(Object.keys(ownVariables))),
});
export type Env = z.infer<typeof Env>;

/** One line per problem, naming the variable: what the operator sees before exit code 1. */
export function describeEnvProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const variable = issue.path.join(".") || "environment";
    return `${variable}: ${issue.message}`;
  });
}
