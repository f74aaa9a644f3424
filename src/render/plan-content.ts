import { componentHasChanges } from "./component-has-changes.js";
import { planDiff } from "./plan-diff.js";
import type { ComponentReport } from "./report-model.js";
import { sanitizeText } from "./sanitize-text.js";

export interface PlanContent {
  readonly text: string;
  /** `diff` for a plan with changes (coloured by GitHub), plain otherwise. */
  readonly info: "diff" | "";
}

/** A component's plan ready to fence, or undefined when it has none to show. */
export function planContent(component: ComponentReport): PlanContent | undefined {
  if (component.planText === undefined || component.planText.trim() === "") return undefined;
  const text = sanitizeText(component.planText);
  return componentHasChanges(component) && component.phase !== "FAILED"
    ? { text: planDiff(text), info: "diff" }
    : { text, info: "" };
}
