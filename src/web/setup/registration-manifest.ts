import type { AppManifestFile } from "../../config/app-manifest.js";

/** Where GitHub sends the browser back with the manifest's code, under BOSUN_PUBLIC_URL. */
export const SETUP_CALLBACK_PATH = "/setup/github-app/callback";

/** Who will own the App: the signed-in GitHub user, or one of their organisations. */
export type AppOwner = { kind: "user" } | { kind: "organization"; login: string };

/** The manifest GitHub registers the App from, as the form posts it (JSON in `manifest`). */
export interface RegistrationManifest {
  name: string;
  url: string;
  description?: string;
  hook_attributes: { url: string; active: true };
  redirect_url: string;
  setup_url: string;
  public: boolean;
  default_permissions: Record<string, string>;
  default_events: string[];
}

/**
 * `app.yml` with this Bosun's addresses: webhooks to BOSUN_PUBLIC_URL + WEBHOOK_PATH, the code
 * back to the setup callback, and, after an installation, the run pages' root.
 */
export function registrationManifest(input: {
  file: AppManifestFile;
  name: string;
  publicUrl: string;
  webhookPath: string;
}): RegistrationManifest {
  const { file, publicUrl } = input;
  return {
    name: input.name,
    url: file.url,
    ...(file.description === undefined ? {} : { description: file.description }),
    hook_attributes: { url: `${publicUrl}${input.webhookPath}`, active: true },
    redirect_url: `${publicUrl}${SETUP_CALLBACK_PATH}`,
    setup_url: `${publicUrl}/`,
    public: file.public,
    default_permissions: file.default_permissions,
    default_events: file.default_events,
  };
}

/** GitHub's "new App from a manifest" page for the owner, carrying the one-time state. */
export function registrationUrl(githubWebUrl: string, owner: AppOwner, state: string): string {
  const path =
    owner.kind === "user"
      ? "/settings/apps/new"
      : `/organizations/${encodeURIComponent(owner.login)}/settings/apps/new`;
  const url = new URL(path, githubWebUrl);
  url.searchParams.set("state", state);
  return url.toString();
}
