/** A GitHub App GitHub registered from Bosun's manifest, with the credentials it gave once. */
export interface RegisteredApp {
  id: number;
  slug: string;
  /** The App's page on GitHub; `${htmlUrl}/installations/new` installs it. */
  htmlUrl: string;
  owner: string;
  privateKey: string;
  webhookSecret: string;
  clientId: string;
  clientSecret: string;
}

/**
 * Turns the code GitHub sent back after registering the App from Bosun's manifest into the App's
 * credentials (`POST /app-manifests/{code}/conversions`). src/github/convert-app-manifest.ts
 * implements it.
 */
export type ConvertManifestCode = (code: string) => Promise<RegisteredApp>;

/** Keeps a registered App's credentials where the next start reads them; says where. */
export type SaveAppCredentials = (app: RegisteredApp) => Promise<string>;
