import { sanitizeText } from "./sanitize-text.js";

/** The line under a cut plan: how much is missing and where the whole plan is. */
export function planNote(runUrl: string): (omittedLines: number) => string {
  return (lines) => `… ${lines} more lines: full plan at ${runUrl}`;
}

/** The widest note a cut of `planText` could need: the least room its share should have. */
export function widestPlanNote(planText: string, runUrl: string): string {
  return planNote(runUrl)(sanitizeText(planText).replace(/\n+$/, "").split("\n").length);
}
