import type { AppConfig } from "./load-config.js";

/**
 * Bosun's own secrets, as the texts they can be printed as: the webhook secret, the App's private
 * key (whole; the masker also masks each of its lines), the OAuth client secret, the notification
 * webhook's signing secret, the Slack bot token and the metrics token, the database's
 * and proxies' passwords, and each encryption key as each of the texts BOSUN_ENCRYPTION_KEYS (or
 * BOSUN_ENCRYPTION_KEY, or the generated BOSUN_DATA_DIR/encryption-key) may hold it in. None of them is ever given to the engine; they are
 * masked anyway, in case a stack's code finds one (docs/design.md, "Trust").
 */
export function ownCredentials(config: AppConfig): string[] {
  const keys = config.encryptionKeys.keys.flatMap(({ key }) => {
    const bytes = key.export();
    const hex = bytes.toString("hex");
    return [bytes.toString("base64"), bytes.toString("base64url"), hex, hex.toUpperCase()];
  });
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
    ...keys,
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
