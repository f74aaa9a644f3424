import type { ComponentDetail } from "../../services/run-page-port.js";
import { html, type SafeHtml } from "./html.js";
import { timestamp } from "./render-layout.js";

/** A component's revisions, newest first, each linking to the run that applied it. */
export function renderComponentPage(component: ComponentDetail): SafeHtml {
  const name = `${component.stack}@${component.environment}`;
  return html`<nav class="crumbs">
      <a href="/repos/${component.repository.fullName}">${component.repository.fullName}</a> ›
      <a href="/repos/${component.repository.fullName}/stacks/${component.stack}"
        >${component.stack}</a
      >
      › ${component.environment}
    </nav>
    <h1>${name}</h1>
    <p class="muted">
      <code>${component.dir}</code> · ${String(component.revisions.length)} revisions
    </p>
    <ol class="phases">
      ${component.revisions.map(
        (revision) =>
          html`<li
            class="${revision.deployed ? "p-ok" : "p-idle"}"
            data-revision-id="${revision.id}"
          >
            <details>
              <summary>
                <span class="phase"
                  ><a href="/runs/${revision.runId}">${revision.runId.slice(0, 8)}</a></span
                >
                <code class="when">${revision.commitSha.slice(0, 7)}</code>
                <span class="when">${timestamp(revision.finishedAt)}</span>
                ${revision.deployed ? html`<span class="badge s-ok">deployed</span>` : ""}
                <code class="dur">${revision.planDigest.slice(0, 19)}…</code>
              </summary>
              <pre class="plan">${JSON.stringify(revision.outputs, null, 2)}</pre>
            </details>
          </li>`,
      )}
    </ol>
    ${component.revisions.length === 0 ? html`<p class="muted">Nothing applied yet.</p>` : ""}`;
}
