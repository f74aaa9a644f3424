import type { ConfigProblem } from "../../config/parse-yaml-config.js";
import type { TriggerKind } from "../../domain/run-kind.js";
import type {
  RepositorySummary,
  StackDetail,
  StackEnvironmentEntry,
} from "../../services/run-page-port.js";
import { html, type SafeHtml } from "./html.js";
import { badge, KIND_LABELS, timestamp } from "./render-layout.js";
import { renderRunsList, type RunsTableView } from "./render-runs-table.js";

/** A Trigger form as it was posted, shown again when it started nothing. */
export interface PostedTrigger {
  environment: string;
  kind: TriggerKind | undefined;
  /** The runtime config as typed, kept so nothing has to be typed again. */
  runtimeConfig: string;
  /** The runtime config's problems, each with its line. */
  problems: ConfigProblem[];
  /** Why nothing started, when it was not the runtime config alone. */
  error: string | undefined;
}

export interface StackPageView {
  repository: RepositorySummary;
  stack: StackDetail;
  /** GitHub's web address, for links to commits. */
  githubWebUrl: string;
  runs: RunsTableView;
  /** Set for a signed-in writer: the Trigger menu's CSRF token. */
  triggerToken: string | undefined;
  posted?: PostedTrigger | undefined;
}

/**
 * A stack's page: per environment what is deployed, the last run and drift, with a writer's
 * Trigger menu (Plan & apply, Plan only, Destroy, each with an optional runtime config); below,
 * the stack's runs.
 */
export function renderStackPage(view: StackPageView): SafeHtml {
  const repo = view.repository.fullName;
  const { stack, posted } = view;
  return html`<nav class="crumbs">
      <a href="/repos/${repo}">${repo}</a> › stacks › ${stack.name}
    </nav>
    <h1>Stack <code>${stack.name}</code></h1>
    <p class="muted"><code>${stack.dir}</code> · ${stack.engine}</p>
    ${
      posted?.error
        ? html`<p class="note bad" role="alert" id="trigger-error">${posted.error}</p>`
        : posted && posted.problems.length > 0
          ? html`<p class="note bad" role="alert" id="trigger-error">
              The runtime config has ${String(posted.problems.length)}
              problem${posted.problems.length === 1 ? "" : "s"}; nothing was started.
            </p>`
          : ""
    }
    <h2>Environments</h2>
    ${stack.environments.map((environment) => renderEnvironment(view, environment))}
    ${
      stack.environments.length === 0
        ? html`<p class="muted">
            No environment yet: they appear once a pull request or a push has planned this stack.
          </p>`
        : ""
    }
    <h2>Runs</h2>
    ${renderRunsList(view.runs)}`;
}

function renderEnvironment(view: StackPageView, environment: StackEnvironmentEntry): SafeHtml {
  const repo = view.repository.fullName;
  const { deployed, lastRun } = environment;
  return html`<div class="component environment" data-environment="${environment.environment}">
    <div class="head">
      <span class="name">${view.stack.name}@${environment.environment}</span>
      ${lastRun ? badge(lastRun.status) : ""}
      <a class="muted" href="/components/${environment.componentId}">revisions</a>
    </div>
    <dl class="meta">
      <dt>Deployed</dt>
      <dd data-deployed>
        ${
          deployed
            ? html`<a class="mono" href="${view.githubWebUrl}/${repo}/commit/${deployed.commitSha}"
                  >${deployed.commitSha.slice(0, 7)}</a
                >
                · ${timestamp(deployed.at)} · by <b>${deployed.by}</b> · run
                <a href="/runs/${deployed.runId}">${deployed.runId.slice(0, 8)}</a>`
            : html`<span class="muted">not deployed</span>`
        }
      </dd>
      <dt>Last run</dt>
      <dd data-last-run>
        ${
          lastRun
            ? html`${KIND_LABELS[lastRun.kind]} ·
                <a href="/runs/${lastRun.id}">${lastRun.id.slice(0, 8)}</a> ·
                ${timestamp(lastRun.createdAt)}`
            : html`<span class="muted">none</span>`
        }
      </dd>
      <dt>Drift</dt>
      <dd data-drift>${renderDrift(environment.drift)}</dd>
    </dl>
    ${view.triggerToken ? renderTrigger(view, view.triggerToken, environment.environment) : ""}
  </div>`;
}

function renderDrift(drift: StackEnvironmentEntry["drift"]): SafeHtml {
  if (!drift) return html`<span class="muted">not checked</span>`;
  if (!drift.drifted) return html`no drift (checked ${timestamp(drift.checkedAt)})`;
  return html`<span class="badge s-bad">drifted</span>
    (${drift.runId ? html`run <a href="/runs/${drift.runId}">${drift.runId.slice(0, 8)}</a>, ` : ""}checked
    ${timestamp(drift.checkedAt)})`;
}

/**
 * One form per environment: Plan & apply and Plan only submit it as it is; Destroy sits behind a
 * disclosure and a required confirmation, which the other two buttons skip (`formnovalidate`).
 */
function renderTrigger(view: StackPageView, token: string, environment: string): SafeHtml {
  const repo = view.repository.fullName;
  const posted = view.posted?.environment === environment ? view.posted : undefined;
  const target = `${view.stack.name}@${environment}`;
  return html`<details class="trigger" ${posted ? html`open` : ""}>
    <summary><span class="button">Trigger ▾</span></summary>
    <form
      method="post"
      action="/repos/${repo}/stacks/${view.stack.name}/trigger"
      class="trigger"
      data-environment="${environment}"
    >
      <input type="hidden" name="csrf" value="${token}" />
      <input type="hidden" name="environment" value="${environment}" />
      <label
        >Runtime config
        <span class="muted"
          >(optional, YAML or JSON: <code>variables</code>, <code>env</code>, <code>targets</code>,
          <code>skip_apply</code>; for this run alone)</span
        >
        <textarea
          name="runtime_config"
          rows="4"
          spellcheck="false"
          placeholder="variables:
  instance_count: 3"
        >
${posted?.runtimeConfig ?? ""}</textarea>
      </label>
      ${
        posted && posted.problems.length > 0
          ? html`<ul class="problems">
              ${posted.problems.map(
                (problem) =>
                  html`<li>
                    ${problem.line === undefined ? "" : `line ${problem.line}`}${
                      problem.line !== undefined && problem.column !== undefined
                        ? `, column ${problem.column}`
                        : ""
                    }${problem.path ? html` <code>${problem.path}</code>` : ""}:
                    ${problem.message}
                  </li>`,
              )}
            </ul>`
          : ""
      }
      <div class="actions">
        <button class="primary" type="submit" name="kind" value="tracked" formnovalidate>
          Plan &amp; apply
        </button>
        <button type="submit" name="kind" value="plan" formnovalidate>Plan only</button>
        <span class="muted"
          >at the tracked branch's head; Plan &amp; apply is applied once approved (or by
          autodeploy)</span
        >
      </div>
      <details class="destroy" ${posted?.kind === "destroy" ? html`open` : ""}>
        <summary>Destroy…</summary>
        <p>
          Plans the destruction of everything ${target} manages, from the commit it was deployed
          from. Nothing is destroyed until the plan is approved.
        </p>
        <label
          ><input type="checkbox" name="confirm" value="destroy" required /> I mean to destroy
          ${target}</label
        >
        <button class="danger" type="submit" name="kind" value="destroy">Destroy</button>
      </details>
    </form>
  </details>`;
}
