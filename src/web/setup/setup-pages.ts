import { html, type SafeHtml } from "../run-pages/html.js";
import type { RegistrationManifest } from "./registration-manifest.js";

const STYLE = `body{margin:0;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328}
main{max-width:760px;margin:0 auto;padding:24px}
fieldset{border:1px solid #d1d9e0;border-radius:6px;padding:12px 16px;margin:16px 0}
label{display:block;margin:6px 0}
input[type=text]{font:inherit;padding:4px 8px;border:1px solid #d1d9e0;border-radius:6px;width:22em}
button{font:inherit;padding:6px 14px;border-radius:6px;border:1px solid #1a7f37;background:#1f883d;color:#fff;cursor:pointer}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
pre{background:#f6f8fa;border:1px solid #d1d9e0;border-radius:6px;padding:10px 12px;white-space:pre-wrap;overflow-wrap:anywhere}
.bad{color:#cf222e}.note{color:#59636e}`;

function page(title: string, body: SafeHtml, nonce?: string): string {
  const script = nonce
    ? html`<script nonce="${nonce}">
        document.getElementById("to-github").submit();
      </script>`
    : "";
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Bosun: ${title}</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <main>${body}</main>
        ${script}
      </body>
    </html>`.value;
}

/** The start page without credentials: register the App for a user or an organisation. */
export function renderStartPage(input: {
  defaultName: string;
  webhookUrl: string;
  problem?: string;
}): string {
  return page(
    "setup",
    html`<h1>Register Bosun's GitHub App</h1>
      <p>
        No GitHub App credentials are set. Register an App from <code>app.yml</code> in one step:
        GitHub asks you to confirm, then sends you back here with its credentials.
      </p>
      ${input.problem ? html`<p class="bad" role="alert">${input.problem}</p>` : ""}
      <form method="post" action="/setup/github-app">
        <fieldset>
          <legend>Owner</legend>
          <label
            ><input type="radio" name="owner" value="user" checked /> My personal account</label
          >
          <label
            ><input type="radio" name="owner" value="organization" /> An organisation:
            <input type="text" name="organization" placeholder="acme" autocomplete="off"
          /></label>
        </fieldset>
        <label
          >App name (unique on GitHub):
          <input type="text" name="name" value="${input.defaultName}" maxlength="34" required
        /></label>
        <p class="note">GitHub will send webhooks to <code>${input.webhookUrl}</code>.</p>
        <button type="submit">Register GitHub App</button>
      </form>
      <p class="note">
        Or register it by hand and set <code>APP_ID</code>, <code>PRIVATE_KEY</code> and
        <code>WEBHOOK_SECRET</code>: the README's "Register the GitHub App" explains each step.
      </p>`,
  );
}

/** Posts the manifest to GitHub at once (the script), or on a click where scripts are off. */
export function renderToGithubPage(input: {
  action: string;
  manifest: RegistrationManifest;
  nonce: string;
}): string {
  return page(
    "registering on GitHub",
    html`<h1>Registering on GitHub…</h1>
      <form id="to-github" method="post" action="${input.action}">
        <input type="hidden" name="manifest" value="${JSON.stringify(input.manifest)}" />
        <p>If GitHub does not open by itself: <button type="submit">Continue to GitHub</button></p>
      </form>`,
    input.nonce,
  );
}

/** After the conversion: where the credentials went, or the credentials themselves, once. */
export function renderRegisteredPage(input: {
  slug: string;
  installUrl: string;
  savedTo: string | undefined;
  /** The .env lines to copy; given when nothing was saved. */
  shown: string | undefined;
  problem?: string;
}): string {
  const kept = input.savedTo
    ? html`<p>
        Its credentials are in <code>${input.savedTo}</code> (mode 0600). Restart Bosun to use them.
      </p>`
    : html`${input.problem ? html`<p class="bad">${input.problem}</p>` : ""}
        <p>
          <strong>Copy these now: this page is shown once and Bosun kept nothing.</strong> Put them
          in Bosun's environment (a secret store, not the image), then restart it.
        </p>
        <pre>${input.shown ?? ""}</pre>`;
  return page(
    "App registered",
    html`<h1>GitHub App <code>${input.slug}</code> registered</h1>
      ${kept}
      <p>
        <a href="${input.installUrl}">Install the App</a> on the repositories that hold your stacks.
      </p>`,
  );
}

/** A refusal or failure of the flow, with the way back to the start. */
export function renderSetupProblem(message: string): string {
  return page(
    "setup failed",
    html`<h1>Setup did not finish</h1>
      <p class="bad">${message}</p>
      <p><a href="/">Start again</a></p>`,
  );
}
