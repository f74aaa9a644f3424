import type { ComponentPhase } from "../../domain/component-phase.js";
import { isTerminal, LEASED_PHASES } from "../../domain/component-phase.js";
import type {
  PhaseEntry,
  RunComponentEntry,
  RunDetail,
  StateEntry,
} from "../../services/run-page-port.js";
import { html, type SafeHtml } from "./html.js";
import {
  badge,
  delta,
  formatDuration,
  KIND_LABELS,
  statusClass,
  timestamp,
  triggerLabel,
} from "./render-layout.js";

export interface RunPageOptions {
  /** GitHub's web address, for links to the commit and the pull request. */
  githubWebUrl: string;
  /** Set for a signed-in writer: the CSRF token of the Re-run form. */
  rerunToken: string | undefined;
  /** The viewer may read the whole repository (not only this run): links to its pages show. */
  repositoryReadable: boolean;
  now: Date;
}

const PHASE_NAMES: Readonly<Record<ComponentPhase, string>> = {
  QUEUED: "Queued",
  DEFERRED: "Deferred",
  PREPARING: "Preparing",
  INITIALIZING: "Initializing",
  PLANNING: "Planning",
  UNCONFIRMED: "Unconfirmed",
  CONFIRMED: "Confirmed",
  APPLYING: "Applying",
  FINISHED: "Finished",
  FAILED: "Failed",
  DISCARDED: "Discarded",
  BLOCKED: "Blocked",
};

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
            : run.kind === "tracked"
              ? "tracked branch"
              : "—"
        }
      </dd>
      <dt>Commit</dt>
      <dd><a class="mono" href="${commitUrl}">${run.commitSha.slice(0, 7)}</a></dd>
      <dt>Triggered by</dt>
      <dd>
        <b>${run.triggeredBy}</b> via ${triggerLabel(run.trigger)} · ${timestamp(run.createdAt)}
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
    <h2>Run history</h2>
    ${waves.map(
      (wave) =>
        html`<div class="wave">Wave ${String(wave + 1)}</div>
          ${run.components.filter((component) => component.wave === wave).map((component) => renderComponent(run, component, options))}`,
    )}
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
      ${timeline(run, component, options.now)}
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

function renderPhase(run: RunDetail, phase: PhaseEntry, now: Date): SafeHtml {
  // `plan -detailed-exitcode` exits 2 when there are changes: a success.
  const okCodes = phase.phase === "PLANNING" ? [0, 2] : [0];
  const failed =
    phase.error !== undefined ||
    (phase.exitCode !== undefined && !okCodes.includes(phase.exitCode));
  const state = phase.finishedAt === undefined ? "p-run" : failed ? "p-bad" : "p-ok";
  const end = phase.finishedAt ?? now;
  const logUrl = `/api/runs/${run.id}/logs?phase=${phase.id}`;
  return html`<li class="${state}">
    <details
      data-phase-id="${phase.id}"
      data-log-url="${logUrl}"
      data-running="${String(phase.finishedAt === undefined)}"
    >
      <summary>
        <span class="phase">${PHASE_NAMES[phase.phase]}</span
        ><span class="when">${timestamp(phase.startedAt)}</span>
        <span class="muted">${phase.lineCount} lines</span
        ><span class="dur">${formatDuration(end.getTime() - phase.startedAt.getTime())}</span>
        ${
          phase.sandbox === "none"
            ? html`<span class="badge s-bad" data-sandbox="none">unsandboxed</span>`
            : ""
        }
      </summary>
      ${phase.error ? html`<div class="note bad">${phase.error}</div>` : ""}
      <div class="logbar">
        <button type="button" data-copy-log>Copy</button
        ><a class="button" href="${logUrl}&amp;download=1" download>Download</a
        ><span class="status" role="status"></span>
      </div>
      <pre class="log" data-log>Loading…</pre>
    </details>
  </li>`;
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

/**
 * The component's history in time order: the states it waited in (from its events: Queued,
 * Unconfirmed, Confirmed, …, and where it ended) between the phases the engine ran, which carry
 * their logs.
 */
function timeline(run: RunDetail, component: RunComponentEntry, now: Date): SafeHtml[] {
  const waits = component.states.filter((state) => !LEASED_PHASES.includes(state.state));
  const items: { at: Date; render: () => SafeHtml }[] = [
    ...waits.map((state) => ({ at: state.at, render: () => renderState(state, now) })),
    ...component.phases.map((phase) => ({
      at: phase.startedAt,
      render: () => renderPhase(run, phase, now),
    })),
  ];
  if (waits.length === 0 && !LEASED_PHASES.includes(component.phase)) {
    // A run without recorded events: its current state stands for the history.
    const state = component.phase;
    items.push({
      at: now,
      render: () =>
        renderState({ state, at: run.createdAt, until: undefined, cause: "", actor: "" }, now),
    });
  }
  return items.sort((a, b) => a.at.getTime() - b.at.getTime()).map((item) => item.render());
}

function renderState(state: StateEntry, now: Date): SafeHtml {
  const cls = statusClass(state.state);
  const dot = state.until || cls === "s-ok" ? "p-ok" : cls === "s-bad" ? "p-bad" : "p-idle";
  const end = state.until ?? (isTerminal(state.state) ? undefined : now);
  const by = state.actor && state.actor !== "bosun" ? ` · ${state.actor}` : "";
  return html`<li class="${dot}" data-state="${state.state}">
    <details>
      <summary>
        <span class="phase">${PHASE_NAMES[state.state]}</span
        ><span class="when">${timestamp(state.at)}</span>
        ${state.until ? "" : badge(state.state)}
        <span class="muted">${state.cause}${by}</span>
        <span class="dur">${end ? formatDuration(end.getTime() - state.at.getTime()) : ""}</span>
      </summary>
    </details>
  </li>`;
}

/** The page's script: copy, download, lazy log loading and following an active run. */
export const RUN_PAGE_SCRIPT = `
(() => {
  const section = () => document.getElementById("run");
  const status = (details, text) => { const s = details.querySelector(".status"); if (s) s.textContent = text; };
  // The engine's machine-readable UI lines (-json) read as their message; anything else as is.
  function readable(line) {
    if (!line.startsWith("{")) return line;
    try {
      const entry = JSON.parse(line);
      if (typeof entry["@message"] !== "string") return line;
      const time = typeof entry["@timestamp"] === "string" ? entry["@timestamp"].slice(11, 19) + "  " : "";
      const level = entry["@level"] === "error" ? "ERROR " : entry["@level"] === "warn" ? "WARN  " : "";
      return time + level + entry["@message"];
    } catch { return line; }
  }
  async function loadLog(details) {
    const pre = details.querySelector("[data-log]");
    const response = await fetch(details.dataset.logUrl, { credentials: "same-origin" });
    if (!response.ok) { pre.textContent = "Could not load the log (" + response.status + ")."; return; }
    const text = await response.text();
    pre.textContent = text.length ? text.replace(/\\n$/, "").split("\\n").map(readable).join("\\n") : "(no output)";
    pre.scrollTop = pre.scrollHeight;
    details.dataset.loaded = "true";
  }
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (details instanceof HTMLDetailsElement && details.open && details.dataset.logUrl && !details.dataset.loaded) loadLog(details);
  }, true);
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!button) return;
    if (button.hasAttribute("data-copy-text")) {
      await navigator.clipboard.writeText(button.getAttribute("data-copy-text"));
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    } else if (button.hasAttribute("data-copy-log")) {
      const details = button.closest("details");
      await navigator.clipboard.writeText(details.querySelector("[data-log]").textContent);
      status(details, "Copied to the clipboard");
    }
  });
  async function refresh() {
    const current = section();
    if (!current || current.dataset.finished === "true") return;
    const open = [...current.querySelectorAll("details[open]")].map((d) => d.dataset.phaseId || d.className);
    const response = await fetch(location.pathname + "/section", { credentials: "same-origin" });
    if (response.ok) {
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      const next = holder.firstElementChild;
      current.replaceWith(next);
      // Reopening fires "toggle", which loads the log again (a running phase's grows).
      for (const details of next.querySelectorAll("details")) {
        if (open.includes(details.dataset.phaseId || details.className)) details.open = true;
      }
    }
    setTimeout(refresh, 1500);
  }
  setTimeout(refresh, 1500);
})();
`;
