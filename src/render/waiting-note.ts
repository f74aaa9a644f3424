import { escapeMarkdown } from "./escape-markdown.js";
import type { ComponentReport } from "./report-model.js";

/**
 * Why a DEFERRED or BLOCKED component has no plan, as a Markdown sentence. A deferred component
 * is planned and applied after its upstream applies, without a second approval (docs/design.md
 * "Lifecycle"), so the sentence says so: approving the run approves that too.
 */
export function waitingNote(component: ComponentReport): string | undefined {
  const upstream = (component.waitingFor ?? []).map(escapeMarkdown);
  const name = escapeMarkdown(component.name);
  const names = upstream.length > 0 ? upstream.join(", ") : undefined;
  switch (component.phase) {
    case "DEFERRED":
      return names === undefined
        ? `${name} waits for an upstream component's outputs; it is planned and applied once that has applied, without a second approval.`
        : `${name} waits for the outputs of ${names}; it is planned with them and applied once ${upstream.length === 1 ? "that has" : "those have"} applied, without a second approval.`;
    case "BLOCKED":
      return names === undefined
        ? `${name} was not run: an upstream component failed.`
        : `${name} was not run: ${names} failed.`;
    default:
      return undefined;
  }
}
