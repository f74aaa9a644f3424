import type { RunStatus } from "../../domain/run-status.js";
import type { RunKind } from "../../domain/run-kind.js";
import type { ComponentPhase } from "../../domain/component-phase.js";
import type { DeltaCounts } from "../../services/run-page-port.js";
import { MANUAL_TRIGGER } from "../../domain/run-kind.js";
import { html, trusted, type SafeHtml } from "./html.js";

/** Inline on purpose: the pages load nothing from elsewhere (and the network may be closed). */
const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--panel:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;
--warn:#9a6700;--run:#0969da;--idle:#6e7781;--add:#1a7f37;--chg:#9a6700;--del:#cf222e}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:#24292f;color:#fff;padding:10px 24px;display:flex;justify-content:space-between;align-items:center}
header.top a{color:#fff;text-decoration:none;font-weight:600}
header.top .who{font-size:13px;opacity:.85}
main{max-width:1100px;margin:0 auto;padding:20px 24px 60px}
a{color:var(--run)}
nav.crumbs{color:var(--muted);margin-bottom:12px}
nav.crumbs a{text-decoration:none}
h1{font-size:22px;margin:0 0 6px;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
h2{font-size:16px;margin:28px 0 10px}
.badge{display:inline-block;border-radius:2em;padding:1px 10px;font-size:12px;font-weight:600;border:1px solid currentColor;white-space:nowrap}
.s-ok{color:var(--ok)}.s-bad{color:var(--bad)}.s-warn{color:var(--warn)}.s-run{color:var(--run)}.s-idle{color:var(--idle)}
.delta{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-weight:600}
.delta .a{color:var(--add)}.delta .c{color:var(--chg)}.delta .d{color:var(--del)}
dl.meta{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:6px 18px;margin:16px 0;padding:14px 16px;background:var(--panel);border:1px solid var(--line);border-radius:6px}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
button,.button{font:inherit;font-size:12.5px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--fg);cursor:pointer;text-decoration:none}
button.primary{background:#1f883d;color:#fff;border-color:#1a7f37}
button:hover,.button:hover{filter:brightness(.96)}
.wave{margin:18px 0 6px;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.component{border:1px solid var(--line);border-radius:6px;margin:10px 0;overflow:hidden}
.component>.head{display:flex;gap:10px;align-items:center;padding:10px 14px;background:var(--panel);border-bottom:1px solid var(--line);flex-wrap:wrap}
.component>.head .name{font-weight:600}
.note{padding:8px 14px;color:var(--muted);border-bottom:1px solid var(--line)}
.note.bad{color:var(--bad)}
ol.phases{list-style:none;margin:0;padding:8px 14px 8px 30px;position:relative}
ol.phases:before{content:"";position:absolute;left:20px;top:16px;bottom:16px;border-left:2px solid var(--line)}
ol.phases li{position:relative;margin:2px 0}
ol.phases li:before{content:"";position:absolute;left:-15px;top:9px;width:10px;height:10px;border-radius:50%;background:var(--idle);border:2px solid #fff}
ol.phases li.p-ok:before{background:var(--ok)}ol.phases li.p-bad:before{background:var(--bad)}ol.phases li.p-run:before{background:var(--run)}
details>summary{cursor:pointer;padding:4px 6px;border-radius:4px;display:flex;gap:12px;align-items:baseline;list-style:none}
details>summary::-webkit-details-marker{display:none}
details>summary:hover{background:var(--panel)}
summary .phase{font-weight:600;min-width:110px}
summary .when{color:var(--muted);font-size:12.5px}
summary .dur{margin-left:auto;color:var(--muted);font-family:ui-monospace,monospace;font-size:12.5px}
.logbar{display:flex;gap:8px;margin:6px 0 4px 6px;align-items:center}
.logbar .status{color:var(--muted);font-size:12px}
pre.log{margin:0 0 10px 6px;padding:10px 12px;background:#0d1117;color:#e6edf3;border-radius:6px;max-height:480px;overflow:auto;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
pre.log .err{color:#ff9492}
pre.plan{margin:0;padding:10px 14px;background:var(--panel);font:12px/1.45 ui-monospace,monospace;white-space:pre-wrap;max-height:360px;overflow:auto}
table.runs{width:100%;border-collapse:collapse;margin-top:8px}
table.runs th,table.runs td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
table.runs th{color:var(--muted);font-weight:600;font-size:12.5px;background:var(--panel)}
form.filters{display:flex;gap:10px;align-items:center;flex-wrap:wrap}
select,input{font:inherit;font-size:13px;padding:3px 6px;border:1px solid var(--line);border-radius:6px}
.pager{display:flex;gap:10px;align-items:center;margin-top:12px;color:var(--muted)}
.live{font-size:12px;color:var(--run)}
.muted{color:var(--muted)}
ul.plain{list-style:none;padding:0}ul.plain li{padding:6px 0;border-bottom:1px solid var(--line)}
.refusal{max-width:560px;margin:60px auto;text-align:center}
form.token-create{display:flex;gap:10px;align-items:center;flex-wrap:wrap}.new-token{display:flex;gap:10px;align-items:center;margin:12px 0}.new-token code{padding:8px 10px;background:var(--panel);border:1px solid var(--line);border-radius:6px;overflow-wrap:anywhere;user-select:all}
details.trigger>summary{padding:8px 14px}
form.trigger{padding:4px 14px 12px}
form.trigger label{display:block}
form.trigger .actions{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:8px 0}
textarea{display:block;width:100%;margin-top:4px;padding:6px 8px;border:1px solid var(--line);border-radius:6px;font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
button.danger{background:var(--bad);color:#fff;border-color:var(--bad)}
ul.problems{color:var(--bad);margin:6px 0;padding-left:20px}
`;

export interface PageChrome {
  title: string;
  /** Per-response nonce for the inline script (Content-Security-Policy). */
  nonce: string;
  signedInAs: string | undefined;
  /** Where "Sign in with GitHub" goes; undefined when sign-in is not configured. */
  signInUrl: string | undefined;
  script?: string | undefined;
}

export function layout(chrome: PageChrome, body: SafeHtml): string {
  const who = chrome.signedInAs
    ? html`<span class="who">Signed in as <b>${chrome.signedInAs}</b></span>`
    : chrome.signInUrl
      ? html`<a class="who" href="${chrome.signInUrl}">Sign in with GitHub</a>`
      : html``;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${chrome.title} · Bosun</title>
        <style>
          ${trusted(STYLE)}
        </style>
      </head>
      <body>
        <header class="top"><a href="/">⚓ Bosun</a>${who}</header>
        <main>${body}</main>
        ${
          chrome.script
            ? html`<script nonce="${chrome.nonce}">
                ${trusted(chrome.script)};
              </script>`
            : ""
        }
      </body>
    </html>`.value;
}

export function statusClass(status: RunStatus | ComponentPhase): string {
  switch (status) {
    case "SUCCEEDED":
    case "FINISHED":
      return "s-ok";
    case "FAILED":
    case "PARTIALLY_FAILED":
    case "BLOCKED":
      return "s-bad";
    case "PLANNED":
    case "UNCONFIRMED":
    case "DEFERRED":
      return "s-warn";
    case "DISCARDED":
    case "QUEUED":
      return "s-idle";
    default:
      return "s-run";
  }
}

export function badge(status: RunStatus | ComponentPhase): SafeHtml {
  const label = status.charAt(0) + status.slice(1).toLowerCase().replace("_", " ");
  return html`<span class="badge ${statusClass(status)}" data-status="${status}">${label}</span>`;
}

export function delta(counts: DeltaCounts | undefined): SafeHtml {
  if (!counts) return html`<span class="muted">—</span>`;
  return html`<span class="delta"
    ><span class="a">+${counts.add}</span> <span class="c">~${counts.change}</span>
    <span class="d">-${counts.destroy}</span></span
  >`;
}

export function timestamp(at: Date | undefined): SafeHtml {
  if (!at) return html`<span class="muted">—</span>`;
  const iso = at.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")} UTC</time>`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

export const KIND_LABELS = {
  proposed: "Proposed (plan only)",
  tracked: "Tracked",
  destroy: "Destroy",
  plan: "Plan only",
  drift: "Drift check",
} as const satisfies Record<RunKind, string>;

/** Marks a run started with an API token: its "triggered by" is a machine user, not a person. */
export const MACHINE_USER_BADGE = html`<span
  class="badge s-idle machine"
  title="started with an API token"
  data-machine-user
  >machine user</span
>`;

export function triggerLabel(trigger: string): string {
  switch (trigger) {
    case "pull_request":
      return "pull request";
    case "comment":
      return "comment";
    case "push":
      return "push";
    case "button":
    case "rerun":
      return "button";
    case MANUAL_TRIGGER:
      return "manual trigger";
    default:
      return trigger;
  }
}
