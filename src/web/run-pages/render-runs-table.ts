import type { RepositorySummary, RunPageResult } from "../../services/run-page-port.js";
import { html, type SafeHtml } from "./html.js";
import {
  badge,
  delta,
  formatDuration,
  KIND_LABELS,
  MACHINE_USER_BADGE,
  timestamp,
  triggerLabel,
} from "./render-layout.js";

export const PAGE_SIZES = [10, 25, 50, 100] as const;

export interface RunsTableView {
  repository: RepositorySummary;
  /** Set on a stack's page: only the runs that include it. */
  stack: string | undefined;
  triggeredBy: string | undefined;
  page: number;
  perPage: number;
  result: RunPageResult;
  /** The page's own path, which the filter form and pager link to. */
  path: string;
}

/** A repository's or a stack's runs page: the runs table under its breadcrumb and heading. */
export function renderRunsTable(view: RunsTableView): SafeHtml {
  const repo = view.repository.fullName;
  return html`<nav class="crumbs">
      <a href="/repos/${repo}">${repo}</a>${
        view.stack
          ? html` › stack <a href="/repos/${repo}/stacks/${view.stack}"><b>${view.stack}</b></a>`
          : ""
      }
      › runs
    </nav>
    <h1>Runs${view.stack ? html` of <code>${view.stack}</code>` : ""}</h1>
    ${renderRunsList(view)}`;
}

/** Runs, newest first, with a filter and a pager: on the runs pages and a stack's page. */
export function renderRunsList(view: RunsTableView): SafeHtml {
  const { result } = view;
  const pages = Math.max(1, Math.ceil(result.total / view.perPage));
  const link = (page: number) => {
    const query = new URLSearchParams({ page: String(page), per_page: String(view.perPage) });
    if (view.triggeredBy) query.set("triggered_by", view.triggeredBy);
    return `${view.path}?${query.toString()}`;
  };
  return html`<form class="filters" method="get" action="${view.path}">
      <label
        >Triggered by
        <select name="triggered_by" id="triggered-by">
          <option value="">anyone</option>
          ${result.triggerers.map(
            (login) =>
              html`<option value="${login}" ${login === view.triggeredBy ? html` selected` : ""}>
                ${login}
              </option>`,
          )}
        </select></label
      >
      <label
        >Rows per page
        <select name="per_page" id="per-page">
          ${PAGE_SIZES.map(
            (size) =>
              html`<option value="${String(size)}" ${size === view.perPage ? html` selected` : ""}>
                ${String(size)}
              </option>`,
          )}
        </select></label
      >
      <button type="submit">Apply</button>
    </form>
    <table class="runs">
      <thead>
        <tr>
          <th>Status</th>
          <th>Run</th>
          <th>Changes</th>
          <th>Engine</th>
          <th>Started</th>
          <th>Duration</th>
          <th>Triggered by</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${result.rows.map(
          (row) =>
            html`<tr data-run-id="${row.id}">
              <td>${badge(row.status)}</td>
              <td>
                ${KIND_LABELS[row.kind]} · ${row.environment}<br /><span class="muted"
                  >${row.stacks.join(", ")} · <code>${row.commitSha.slice(0, 7)}</code></span
                >
              </td>
              <td>${delta(row.counts)}</td>
              <td>${row.engineVersion ?? "—"}</td>
              <td>${timestamp(row.createdAt)}</td>
              <td class="mono">${formatDuration(row.durationMs)}</td>
              <td class="triggered-by">
                ${row.triggeredBy}${row.machineUser ? html` ${MACHINE_USER_BADGE}` : ""}
                <span class="muted">(${triggerLabel(row.trigger)})</span>
              </td>
              <td><a href="/runs/${row.id}">View</a></td>
            </tr>`,
        )}
        ${
          result.rows.length === 0
            ? html`<tr>
                <td colspan="8" class="muted">No runs.</td>
              </tr>`
            : ""
        }
      </tbody>
    </table>
    <div class="pager">
      ${view.page > 1 ? html`<a class="button" rel="prev" href="${link(view.page - 1)}">‹ Newer</a>` : ""}
      <span id="page-info"
        >Page ${String(view.page)} of ${String(pages)} · ${String(result.total)} runs</span
      >
      ${view.page < pages ? html`<a class="button" rel="next" href="${link(view.page + 1)}">Older ›</a>` : ""}
    </div>`;
}

/** Submitting on change keeps the filter a plain GET form that also works without script. */
export const RUNS_TABLE_SCRIPT = `
for (const select of document.querySelectorAll("form.filters select")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}
`;
