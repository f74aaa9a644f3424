import type { RepositorySummary, StackEntry } from "../../services/run-page-port.js";
import { html, type SafeHtml } from "./html.js";

/**
 * A repository's stacks and their components: where the run page's breadcrumb leads. Its admins
 * also get a link to its API tokens.
 */
export function renderStacksPage(
  repository: RepositorySummary,
  stacks: StackEntry[],
  viewer: { admin: boolean } = { admin: false },
): SafeHtml {
  return html`<nav class="crumbs">${repository.fullName} › stacks</nav>
    <h1>${repository.fullName}</h1>
    <p>
      <a href="/repos/${repository.fullName}/runs">All runs</a>${
        viewer.admin
          ? html` · <a href="/repos/${repository.fullName}/tokens" id="api-tokens">API tokens</a>`
          : ""
      }
    </p>
    <table class="runs">
      <thead>
        <tr>
          <th>Stack</th>
          <th>Directory</th>
          <th>Engine</th>
          <th>Environments</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${stacks.map(
          (stack) =>
            html`<tr>
              <td>
                <a href="/repos/${repository.fullName}/stacks/${stack.name}"
                  ><b>${stack.name}</b></a
                >
              </td>
              <td><code>${stack.dir}</code></td>
              <td>${stack.engine}</td>
              <td>
                ${stack.components.map(
                  (component) =>
                    html`<a href="/components/${component.id}">${component.environment}</a
                      >${component.deployedRevisionId ? "" : html` <span class="muted">(not deployed)</span>`} `,
                )}
              </td>
              <td><a href="/repos/${repository.fullName}/stacks/${stack.name}/runs">Runs</a></td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}
