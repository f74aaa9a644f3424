import type { RuntimeConfig } from "../../config/runtime-config.js";
import type { RunComponentEntry, RunDetail } from "../../services/run-page-port.js";
import { MANUAL_TRIGGER } from "../../domain/run-kind.js";
import { html, type SafeHtml } from "./html.js";
import {
  badge,
  delta,
  KIND_LABELS,
  MACHINE_USER_BADGE,
  timestamp,
  triggerLabel,
} from "./render-layout.js";
import { renderTimeline } from "./render-timeline.js";

export interface RunPageOptions {
  /** GitHub's web address, for links to the commit and the pull request. */
  githubWebUrl: string;
  /** Set for a signed-in writer: the CSRF token of the Re-run form. */
  rerunToken: string | undefined;
  /** The viewer may read the whole repository (not only this run): links to its pages show. */
  repositoryReadable: boolean;
  now: Date;
}

/** Everything on the run page below the breadcrumb: what live polling replaces as a whole. */
export function renderRunSection(run: RunDetail, options: RunPageOptions): SafeHtml {
  const repo = run.repository.fullName;
  const commitUrl = `${options.githubWebUrl}/${repo}/commit/${run.commitSha}`;
  const pullUrl =
    run.pullRequestNumber === undefined
      ? undefined
      : `${options.githubWebUrl}/${repo}/pull/${run.pullRequestNumber}`;
  const waves = [...new Set(run.components.map((component) => component.wave))].sort(
    (a, b) => a - b,
  );
  return html`<section
    id="run"
    data-run-id="${run.id}"
    data-finished="${String(run.finished)}"
    data-status="${run.status}"
  >
    <h1>
      ${KIND_LABELS[run.kind]} run · ${run.environment} ${badge(run.status)} ${delta(run.counts)}
      ${run.finished ? "" : html`<span class="live" id="live">● live</span>`}
    </h1>
    <dl class="meta">
      <dt>Repository</dt>
      <dd>${repo}</dd>
      <dt>Environment</dt>
      <dd>${run.environment}</dd>
      <dt>Branch</dt>
      <dd>
        ${
          pullUrl
            ? html`<a href="${pullUrl}">#${String(run.pullRequestNumber)}</a
                >${run.baseRef ? html` → <code>${run.baseRef}</code>` : ""}`
            : run.kind === "tracked" || run.trigger === MANUAL_TRIGGER
              ? "tracked branch"
              : "—"
        }
      </dd>
      <dt>Commit</dt>
      <dd><a class="mono" href="${commitUrl}">${run.commitSha.slice(0, 7)}</a></dd>
      <dt>Triggered by</dt>
      <dd>
        <b>${run.triggeredBy}</b>${run.machineUser ? html` ${MACHINE_USER_BADGE}` : ""} via
        ${triggerLabel(run.trigger)} · ${timestamp(run.createdAt)}
      </dd>
      <dt>Approved by</dt>
      <dd>
        ${
          run.confirmedBy
            ? html`<b>${run.confirmedBy}</b> · ${timestamp(run.confirmedAt)}`
            : html`<span class="muted">not approved</span>`
        }
      </dd>
      <dt>Engine</dt>
      <dd>${run.engineVersion ?? html`<span class="muted">—</span>`}</dd>
      <dt>Sandbox</dt>
      <dd>${describeSandbox(run)}</dd>
      <dt>Run id</dt>
      <dd>
        <code id="run-id">${run.id}</code>
        <button type="button" data-copy-text="${run.id}">Copy</button>
      </dd>
      ${
        run.repeatsRunId
          ? html`<dt>Repeats</dt>
              <dd><a href="/runs/${run.repeatsRunId}">${run.repeatsRunId.slice(0, 8)}</a></dd>`
          : ""
      }
    </dl>
    ${
      ranUnsandboxed(run)
        ? html`<p class="note bad" data-unsandboxed>
            An engine of this run ran without a sandbox (BOSUN_SANDBOX=off, or no sandbox on its
            worker): the pull request's code could read the worker's credentials and data.
          </p>`
        : ""
    }
    ${
      options.rerunToken
        ? html`<form method="post" action="/runs/${run.id}/rerun">
            <input type="hidden" name="csrf" value="${options.rerunToken}" /><button
              class="primary"
              type="submit"
            >
              Re-run
            </button>
          </form>`
        : ""
    }
    ${run.runtimeConfig ? renderRuntimeConfig(run.runtimeConfig) : ""}
    <h2>Run history</h2>
    ${waves.map(
      (wave) =>
        html`<div class="wave">Wave ${String(wave + 1)}</div>
          ${run.components.filter((component) => component.wave === wave).map((component) => renderComponent(run, component, options))}`,
    )}
    ${run.notifications.length > 0 ? renderNotifications(run) : ""}
  </section>`;
}

/** Which targets were told what (docs/design.md "Notifications"), and each delivery's status. */
function renderNotifications(run: RunDetail): SafeHtml {
  return html`<section class="notifications" id="notifications">
    <h2>Notifications</h2>
    <table>
      <thead>
        <tr>
          <th>Event</th>
          <th>Target</th>
          <th>Status</th>
          <th>Attempts</th>
          <th>Last answer</th>
        </tr>
      </thead>
      <tbody>
        ${run.notifications.map(
          (entry) =>
            html`<tr data-status="${entry.status}">
              <td><code>${entry.type}</code></td>
              <td>
                ${entry.target} <span class="muted">${entry.kind} · ${entry.destination}</span>
              </td>
              <td>${entry.status}</td>
              <td>${String(entry.attempts)}</td>
              <td>
                ${entry.lastResponseStatus === undefined ? "—" : String(entry.lastResponseStatus)}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function renderComponent(
  run: RunDetail,
  component: RunComponentEntry,
  options: RunPageOptions,
): SafeHtml {
  const name = `${component.stack}@${run.environment}`;
  const notes: SafeHtml[] = [];
  if (component.phase === "DEFERRED" && component.waitingFor.length > 0) {
    notes.push(
      html`<div class="note">
        Deferred: waits for the outputs of ${component.waitingFor.join(", ")}
      </div>`,
    );
  }
  if (component.phase === "BLOCKED") {
    notes.push(
      html`<div class="note bad">
        Blocked: an upstream component
        failed${component.waitingFor.length ? ` (${component.waitingFor.join(", ")})` : ""}
      </div>`,
    );
  }
  if (component.held) {
    notes.push(
      html`<div class="note">Queued behind an earlier tracked run of this component</div>`,
    );
  }
  if (component.failureReason) {
    notes.push(html`<div class="note bad">${component.failureReason}</div>`);
  }
  return html`<div
    class="component"
    id="component-${component.runComponentId}"
    data-phase="${component.phase}"
  >
    <div class="head">
      <span class="name">${name}</span> ${badge(component.phase)} ${delta(component.counts)}
      <span class="muted">${component.changeKind} · <code>${component.dir}</code></span>
      ${options.repositoryReadable ? html`<a class="muted" href="/components/${component.componentId}">revisions</a>` : ""}
    </div>
    ${notes}
    <ol class="phases">
      ${renderTimeline(run, component, options.now)}
    </ol>
    ${
      component.planText
        ? html`<details class="plan">
            <summary>
              <span class="phase">Plan</span
              >${component.planDigest ? html`<code class="when">${component.planDigest}</code>` : ""}
            </summary>
            <pre class="plan">${component.planText}</pre>
          </details>`
        : ""
    }
  </div>`;
}

function ranUnsandboxed(run: RunDetail): boolean {
  return run.components.some((component) =>
    component.phases.some((phase) => phase.sandbox === "none"),
  );
}

/** What confined this run's engines, from what each phase recorded. */
function describeSandbox(run: RunDetail): SafeHtml {
  const kinds = new Set(
    run.components.flatMap((component) => component.phases.map((phase) => phase.sandbox)),
  );
  if (kinds.has("none")) return html`<span class="badge s-bad">none: unsandboxed</span>`;
  if (kinds.has("uid")) return html`uid isolation`;
  if (kinds.has("bubblewrap")) return html`bubblewrap`;
  return html`<span class="muted">—</span>`;
}

/** What the trigger overrode for this run alone, as it was given. */
function renderRuntimeConfig(config: RuntimeConfig): SafeHtml {
  const variables = Object.entries(config.variables ?? {});
  const env = Object.entries(config.env ?? {});
  return html`<section class="runtime-config" id="runtime-config">
    <h2>Runtime config</h2>
    <dl class="meta">
      ${
        variables.length > 0
          ? html`<dt>Variables</dt>
              <dd>
                ${variables.map(
                  ([name, value]) =>
                    html`<code data-variable="${name}">${name} = ${JSON.stringify(value)}</code
                      ><br />`,
                )}
              </dd>`
          : ""
      }
      ${
        env.length > 0
          ? html`<dt>Environment</dt>
              <dd>
                ${env.map(
                  ([name, value]) => html`<code data-env="${name}">${name}=${value}</code><br />`,
                )}
              </dd>`
          : ""
      }
      ${
        config.targets && config.targets.length > 0
          ? html`<dt>Targets</dt>
              <dd>
                ${config.targets.map((target) => html`<code>-target=${target}</code><br />`)}
              </dd>`
          : ""
      }
      ${
        config.skip_apply !== undefined
          ? html`<dt>Skip apply</dt>
              <dd data-skip-apply>
                ${config.skip_apply ? "yes: confirming ends the run without applying" : "no"}
              </dd>`
          : ""
      }
    </dl>
  </section>`;
}
