import type { AppConfig } from "./load-config.js";

/**
 * Bosun's own secrets, as the texts they can be printed as: the webhook secret, the App's private
 * key (whole; the masker also masks each of its lines), the OAuth client secret, the notification
 * webhook's signing secret and the Slack bot token, the database
 * password, and each encryption key as each of the texts BOSUN_ENCRYPTION_KEYS (or
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
    config.database.kind === "postgres" ? databasePassword(config.database.url) : undefined,
    ...keys,
  ].filter((value): value is string => value !== undefined && value !== "");
}

function databasePassword(url: string): string | undefined {
  const password = new URL(url).password;
  if (password === "") return undefined;
  try {
    return decodeURIComponent(password);
  } catch {
    // Not valid percent-encoding: the driver takes it as written.
    return password;
  }
}
