import type { ComponentPhase } from "../../domain/component-phase.js";
import { isTerminal, LEASED_PHASES } from "../../domain/component-phase.js";
import type {
  PhaseEntry,
  RunComponentEntry,
  RunDetail,
  StateEntry,
} from "../../services/run-page-port.js";
import { html, type SafeHtml } from "./html.js";
import { badge, formatDuration, statusClass, timestamp } from "./render-layout.js";

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

/**
 * The component's history in time order: the states it waited in (from its events: Queued,
 * Unconfirmed, Confirmed, …, and where it ended) between the phases the engine ran, which carry
 * their logs.
 */
export function renderTimeline(
  run: RunDetail,
  component: RunComponentEntry,
  now: Date,
): SafeHtml[] {
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

function renderPhase(run: RunDetail, phase: PhaseEntry, now: Date): SafeHtml {
  // `plan -detailed-exitcode` exits 2 when there are changes: a success. A step's is its own.
  const okCodes = phase.phase === "PLANNING" && !phase.step ? [0, 2] : [0];
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
        <span class="phase"
          >${phase.step ? `Step ${phase.step.name}` : PHASE_NAMES[phase.phase]}</span
        ><span class="when">${timestamp(phase.startedAt)}</span>
        ${phase.step ? html`<span class="muted" data-step-hook>${phase.step.hook}</span>` : ""}
        ${
          phase.step && phase.exitCode !== undefined
            ? html`<span class="muted" data-exit-code>exit ${String(phase.exitCode)}</span>`
            : ""
        }
        <span class="muted">${phase.lineCount} lines</span
        ><span class="dur">${formatDuration(end.getTime() - phase.startedAt.getTime())}</span>
        ${
          phase.sandbox === "none"
            ? html`<span class="badge s-bad" data-sandbox="none">unsandboxed</span>`
            : ""
        }
      </summary>
      ${phase.error ? html`<div class="note bad">${phase.error}</div>` : ""}
      ${
        phase.step?.summary
          ? // The summary is Markdown from a command: shown as text, escaped, never as HTML.
            html`<div class="step-summary">
              <h4>Summary of ${phase.step.name}</h4>
              <pre class="log" data-step-summary>${phase.step.summary}</pre>
            </div>`
          : ""
      }
      <div class="logbar">
        <button type="button" data-copy-log>Copy</button
        ><a class="button" href="${logUrl}&amp;download=1" download>Download</a
        ><span class="status" role="status"></span>
      </div>
      <pre class="log" data-log>Loading…</pre>
    </details>
  </li>`;
}
