// Kept for plan-pull-request.ts and track-push.ts until the shared pipeline imports
// ./reporter/index.js; then removed.
export { reportConfigProblems } from "./reporter/index.js";
