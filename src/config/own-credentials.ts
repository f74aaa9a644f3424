import type { AppConfig } from "./load-config.js";

/**
 * Bosun's own secrets, as the texts they can be printed as: the webhook secret, the App's private
 * key (whole; the masker also masks each of its lines), the OAuth client secret, the notification
 * webhook's signing secret, the Slack bot token and the metrics token, the database's
 * and proxies' passwords, and the encryption key as each of the texts BOSUN_ENCRYPTION_KEY (or the generated
 * BOSUN_DATA_DIR/encryption-key) may hold it in. None of them is ever given to the engine; they are
 * masked anyway, in case a stack's code finds one (docs/design.md, "Trust").
 */
export function ownCredentials(config: AppConfig): string[] {
  const key = config.encryptionKey.export();
  return [
    config.github?.webhookSecret,
    config.github?.privateKey,
    config.githubSignIn?.clientSecret,
    config.notifications.server?.secret,
    config.notifications.slack?.token,
    config.metricsToken,
    config.database.kind === "postgres" ? urlPassword(config.database.url) : undefined,
    config.proxy?.httpProxy && urlPassword(config.proxy.httpProxy),
    config.proxy?.httpsProxy && urlPassword(config.proxy.httpsProxy),
    key.toString("base64"),
    key.toString("base64url"),
    key.toString("hex"),
    key.toString("hex").toUpperCase(),
  ].filter((value): value is string => value !== undefined && value !== "");
}

/** The password of a URL with credentials (the database's, a proxy's). */
function urlPassword(url: string): string | undefined {
  const password = new URL(url).password;
  if (password === "") return undefined;
  try {
    return decodeURIComponent(password);
  } catch {
    // Not valid percent-encoding: the driver takes it as written.
    return password;
  }
}
