import { assertNever } from "../lib/assert-never.js";
import { componentHasChanges } from "./component-has-changes.js";
import type { ComponentReport } from "./report-model.js";

/** What a component is doing, in words, for a status column: "Awaiting approval", "Applied". */
export function phaseLabel(component: ComponentReport): string {
  const { phase } = component;
  switch (phase) {
    case "QUEUED":
      return "Queued";
    case "DEFERRED":
      return "Deferred";
    case "PREPARING":
      return "Preparing";
    case "INITIALIZING":
      return "Initializing";
    case "PLANNING":
      return "Planning";
    case "UNCONFIRMED":
      return "Awaiting approval";
    case "CONFIRMED":
      return "Confirmed";
    case "APPLYING":
      return "Applying";
    case "FINISHED":
      // A component finishes without applying when its plan had no changes.
      return componentHasChanges(component) ? "Applied" : "No changes";
    case "FAILED":
      if (component.failedDuring === "plan") return "Plan failed";
      if (component.failedDuring === "apply") return "Apply failed";
      return "Failed";
    case "DISCARDED":
      return "Discarded";
    case "BLOCKED":
      return "Blocked";
    default:
      return assertNever(phase, "component phase");
  }
}
