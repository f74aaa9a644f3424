import { API_TOKEN_SCOPES, type ApiTokenScope } from "../../domain/api-token-scope.js";
import type { RepositoryApiToken } from "../../services/list-repository-api-tokens.js";
import type { RepositorySummary } from "../../services/run-page-port.js";
import { html, type SafeHtml } from "./html.js";
import { timestamp } from "./render-layout.js";

const SCOPE_LABELS = {
  read: "read: runs, logs, runs tables and revisions",
  trigger: "trigger: also start, confirm, discard and re-run runs",
} as const satisfies Record<ApiTokenScope, string>;

/** A form the tokens page answered with a refusal: shown again with why, as it was filled in. */
export interface PostedTokenForm {
  error: string;
  name?: string;
  scope?: string;
}

export interface TokensPageView {
  repository: RepositorySummary;
  tokens: RepositoryApiToken[];
  /** The New token form's CSRF token. */
  createCsrf: string;
  /** A token's Revoke form's CSRF token. */
  revokeCsrf: (tokenId: string) => string;
  posted?: PostedTokenForm | undefined;
}

/**
 * A repository's API tokens, for its admins: a form for a new one and every token that covers the
 * repository (never a token's value or hash), each live one with Revoke when the admin may.
 */
export function renderTokensPage(view: TokensPageView): SafeHtml {
  const repo = view.repository.fullName;
  const { posted } = view;
  const chosen = posted?.scope ?? "read";
  return html`<nav class="crumbs"><a href="/repos/${repo}">${repo}</a> › API tokens</nav>
    <h1>API tokens</h1>
    <p class="muted">
      Tokens for the HTTP API (<code>Authorization: Bearer …</code>) that act on ${repo}. Each is
      shown once, when it is created; Bosun keeps only its hash.
    </p>
    ${posted ? html`<p class="note bad" role="alert" id="tokens-error">${posted.error}</p>` : ""}
    <h2>New token</h2>
    <form method="post" action="/repos/${repo}/tokens" class="token-create">
      <input type="hidden" name="csrf" value="${view.createCsrf}" />
      <label
        >Name
        <input name="name" required maxlength="64" autocomplete="off" value="${posted?.name ?? ""}"
      /></label>
      <label
        >Scope
        <select name="scope">
          ${API_TOKEN_SCOPES.map(
            (scope) =>
              html`<option value="${scope}" ${scope === chosen ? html`selected` : ""}>
                ${SCOPE_LABELS[scope]}
              </option>`,
          )}
        </select></label
      >
      <button class="primary" type="submit">Create token</button>
      <span class="muted">for ${repo} alone</span>
    </form>
    <h2>Tokens</h2>
    ${
      view.tokens.length === 0
        ? html`<p class="muted" id="no-tokens">No API token covers ${repo}.</p>`
        : html`<table class="runs tokens">
            <thead>
              <tr>
                <th>Name</th>
                <th>Scope</th>
                <th>Repositories</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Status</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${view.tokens.map((token) => renderToken(view, token))}
            </tbody>
          </table>`
    }`;
}

function renderToken(view: TokensPageView, token: RepositoryApiToken): SafeHtml {
  const repo = view.repository.fullName;
  const unseen = token.unseenRepositories;
  return html`<tr data-token-name="${token.name}" data-token-id="${token.id}">
    <td><b>${token.name}</b></td>
    <td>${token.scope}</td>
    <td>
      ${token.repositories.join(", ")}${
        unseen > 0
          ? html` <span class="muted"
              >and ${String(unseen)} other ${unseen === 1 ? "repository" : "repositories"}</span
            >`
          : ""
      }
    </td>
    <td>${timestamp(token.createdAt)} by ${token.createdBy}</td>
    <td>
      ${token.lastUsedAt ? timestamp(token.lastUsedAt) : html`<span class="muted">never</span>`}
    </td>
    <td data-token-status>
      ${
        token.revokedAt
          ? html`<span class="badge s-idle">revoked</span> ${timestamp(token.revokedAt)}`
          : html`<span class="badge s-ok">active</span>`
      }
    </td>
    <td>
      ${
        token.revocable
          ? html`<form method="post" action="/repos/${repo}/tokens/${token.id}/revoke">
              <input type="hidden" name="csrf" value="${view.revokeCsrf(token.id)}" />
              <button class="danger" type="submit">Revoke</button>
            </form>`
          : token.revokedAt
            ? ""
            : html`<span class="muted"
                >also covers repositories you do not administer: an operator revokes it (<code
                  >bosun tokens revoke ${token.name}</code
                >)</span
              >`
      }
    </td>
  </tr>`;
}

/** Copies the new token from the page itself, so it is written into the page once. */
export const CREATED_TOKEN_SCRIPT = `
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-copy-token]") : null;
  if (!button) return;
  await navigator.clipboard.writeText(document.getElementById("new-token").textContent);
  button.textContent = "Copied";
});
`;

/**
 * The answer to creating a token: the one time it is shown, with Copy and a warning. Served
 * `Cache-Control: no-store` like every run page, so no cache keeps it either.
 */
export function renderCreatedTokenPage(view: {
  repository: RepositorySummary;
  name: string;
  scope: ApiTokenScope;
  token: string;
}): SafeHtml {
  const repo = view.repository.fullName;
  return html`<nav class="crumbs">
      <a href="/repos/${repo}">${repo}</a> › <a href="/repos/${repo}/tokens">API tokens</a> ›
      ${view.name}
    </nav>
    <h1>Token <code>${view.name}</code> created</h1>
    <p class="note bad" role="alert" id="token-warning">
      Copy it now: it will not be shown again. Bosun keeps only its hash, so a lost token is revoked
      and replaced, never recovered.
    </p>
    <p>${view.scope} on ${repo}.</p>
    <div class="new-token">
      <code id="new-token">${view.token}</code>
      <button type="button" data-copy-token>Copy</button>
    </div>
    <p class="muted">
      Send it as <code>Authorization: Bearer &lt;token&gt;</code> to the HTTP API.
    </p>
    <p><a href="/repos/${repo}/tokens">Back to the API tokens</a></p>`;
}
