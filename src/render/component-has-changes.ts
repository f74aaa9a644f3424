import { hasChanges } from "./format-delta.js";
import type { ComponentReport } from "./report-model.js";

/** Whether the component's plan changes anything; false while there is no plan. */
export function componentHasChanges(component: ComponentReport): boolean {
  if (component.hasChanges !== undefined) return component.hasChanges;
  return component.counts !== undefined && hasChanges(component.counts);
}
