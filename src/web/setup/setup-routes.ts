import { randomBytes } from "node:crypto";
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Logger } from "pino";
import { z } from "zod";
import type { AppManifestFile } from "../../config/app-manifest.js";
import { EnvFileConflictError, envLine, mergeEnvFile } from "../../config/merge-env-file.js";
import type { ConvertManifestCode, RegisteredApp } from "../../services/app-registration-port.js";
import { createPendingStates, STATE_LIFETIME_MS } from "./pending-states.js";
import {
  type AppOwner,
  registrationManifest,
  registrationUrl,
  SETUP_CALLBACK_PATH,
} from "./registration-manifest.js";
import {
  renderRegisteredPage,
  renderSetupProblem,
  renderStartPage,
  renderToGithubPage,
} from "./setup-pages.js";

const STATE_COOKIE = "bosun_setup_state";

/** GitHub's rules: letters, digits and single inner hyphens, at most 39 characters. */
const OrganizationLogin = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, {
    error: "Organisation: give its login, as in github.com/LOGIN (letters, digits, hyphens)",
  });

const RegisterForm = z.object({
  owner: z.enum(["user", "organization"], { error: "Owner: choose an account" }),
  organization: z.string().optional(),
  name: z
    .string({ error: "App name: required" })
    .trim()
    .min(1, "App name: required")
    .max(34, "App name: at most 34 characters (GitHub's limit)"),
});

/** The variables a registered App gives Bosun: its identity, and the run pages' sign-in. */
function credentialVariables(app: RegisteredApp): Record<string, string> {
  return {
    APP_ID: String(app.id),
    PRIVATE_KEY: app.privateKey,
    WEBHOOK_SECRET: app.webhookSecret,
    GITHUB_CLIENT_ID: app.clientId,
    GITHUB_CLIENT_SECRET: app.clientSecret,
  };
}

/**
 * What Bosun serves before it has GitHub App credentials: one-click registration through GitHub's
 * manifest flow, as Probot and Atlantis do it. The form builds the manifest from `app.yml` and
 * this Bosun's addresses and posts it to GitHub with a one-time `state`, bound to this browser by
 * a cookie; GitHub sends the browser back with a code, which is exchanged for the App's
 * credentials. In development they are added to `envFile`; in production (no `envFile`) they are
 * shown once and kept nowhere. Webhooks meanwhile are refused with 503 (webhook-listener.ts).
 */
export function setupRoutes(deps: {
  manifest: AppManifestFile;
  webhookPath: string;
  publicUrl: string;
  githubWebUrl: string;
  convert: ConvertManifestCode;
  /** Where development keeps the credentials; undefined in production. */
  envFile: string | undefined;
  secureCookies: boolean;
  log: Logger;
}): Hono {
  const app = new Hono();
  const states = createPendingStates();
  const webhookUrl = `${deps.publicUrl}${deps.webhookPath}`;
  const startPage = (problem?: string) =>
    renderStartPage({ defaultName: deps.manifest.name, webhookUrl, problem });

  app.get("/", (c) => {
    guard(c);
    return c.html(startPage());
  });

  app.post("/setup/github-app", async (c) => {
    guard(c);
    const body = await c.req.parseBody();
    const form = RegisterForm.safeParse(body);
    if (!form.success) return c.html(startPage(form.error.issues[0]?.message), 400);
    let owner: AppOwner = { kind: "user" };
    if (form.data.owner === "organization") {
      const login = OrganizationLogin.safeParse(form.data.organization ?? "");
      if (!login.success) return c.html(startPage(login.error.issues[0]?.message), 400);
      owner = { kind: "organization", login: login.data };
    }
    const state = states.issue();
    setCookie(c, STATE_COOKIE, state, {
      httpOnly: true,
      // Lax: the cookie comes back on GitHub's top-level redirect to the callback.
      sameSite: "Lax",
      secure: deps.secureCookies,
      path: "/setup",
      maxAge: STATE_LIFETIME_MS / 1000,
    });
    const nonce = randomBytes(16).toString("base64");
    guard(c, nonce);
    return c.html(
      renderToGithubPage({
        action: registrationUrl(deps.githubWebUrl, owner, state),
        manifest: registrationManifest({
          file: deps.manifest,
          name: form.data.name,
          publicUrl: deps.publicUrl,
          webhookPath: deps.webhookPath,
        }),
        nonce,
      }),
    );
  });

  app.get(SETUP_CALLBACK_PATH, async (c) => {
    guard(c);
    const state = c.req.query("state") ?? "";
    const code = c.req.query("code") ?? "";
    const cookie = getCookie(c, STATE_COOKIE);
    deleteCookie(c, STATE_COOKIE, { path: "/setup" });
    // Both checks always run: the state is used up whatever the outcome.
    const issued = states.consume(state);
    if (!issued || cookie !== state || code === "") {
      deps.log.warn("App setup callback refused: its state is not one this browser was given");
      return c.html(
        renderSetupProblem(
          "This answer from GitHub does not belong to a registration started in this browser, or it was used already, or Bosun restarted since. Start again.",
        ),
        403,
      );
    }
    let registered: RegisteredApp;
    try {
      registered = await deps.convert(code);
    } catch (error) {
      deps.log.error({ err: error }, "exchanging the App manifest code failed");
      return c.html(
        renderSetupProblem(
          "GitHub did not give the App's credentials for this code (it works once, within an hour). Start again; an App GitHub registered meanwhile can be deleted in its settings.",
        ),
        502,
      );
    }
    deps.log.info(
      { appId: registered.id, app: registered.slug, owner: registered.owner },
      "GitHub App registered from the manifest",
    );
    const variables = credentialVariables(registered);
    const installUrl = `${registered.htmlUrl}/installations/new`;
    const shown = Object.entries(variables)
      .map(([name, value]) => envLine(name, value))
      .join("\n");
    if (!deps.envFile) {
      return c.html(
        renderRegisteredPage({ slug: registered.slug, installUrl, savedTo: undefined, shown }),
      );
    }
    try {
      await mergeEnvFile(
        deps.envFile,
        variables,
        `GitHub App ${registered.slug} (${registered.htmlUrl}), registered by Bosun's setup on ${new Date().toISOString()}`,
      );
    } catch (error) {
      // The code is spent: the credentials exist nowhere else, so they are shown rather than lost.
      deps.log.error({ err: error }, "writing the App's credentials failed");
      const problem =
        error instanceof EnvFileConflictError
          ? `${error.message}: nothing was written.`
          : `Writing ${deps.envFile} failed: nothing was written.`;
      return c.html(
        renderRegisteredPage({
          slug: registered.slug,
          installUrl,
          savedTo: undefined,
          shown,
          problem,
        }),
      );
    }
    deps.log.info({ file: deps.envFile }, "App credentials written: restart Bosun to use them");
    return c.html(
      renderRegisteredPage({
        slug: registered.slug,
        installUrl,
        savedTo: deps.envFile,
        shown: undefined,
      }),
    );
  });

  return app;
}

/**
 * The setup pages load nothing from elsewhere; the only script is the one that posts the manifest
 * (its nonce). Credentials shown once must not stay in a cache, nor the code leak as a referrer.
 */
function guard(c: Context, nonce?: string): void {
  c.header(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'unsafe-inline'; script-src ${nonce ? `'nonce-${nonce}'` : "'none'"}; base-uri 'none'; frame-ancestors 'none'`,
  );
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Content-Type-Options", "nosniff");
}
