// Kept for open-environment-run.ts until the shared pipeline imports ./reporter/index.js; then removed.
export { requestReport } from "./reporter/index.js";
