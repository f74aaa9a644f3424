/**
 * The reporter: every write Bosun makes to GitHub (check runs, comments, reactions, deployments)
 * is one of these. Only its modules hold a GithubRepoWriter; what they say is rendered by
 * src/render. Services import it from here.
 */
export {
  acknowledgeCommand,
  reactToCommand,
  replyToCommand,
  replyWithRefusal,
} from "./reply-to-command.js";
export { noteWaitingOnCheckRuns } from "./note-waiting-on-check-runs.js";
export { postNotice } from "./post-notice.js";
export { reportApplying } from "./report-applying.js";
export { reportConfigProblems } from "./report-config-problems.js";
export { reportNothingAffected } from "./report-nothing-affected.js";
export { reportRun, requestReport, type ReportDeps } from "./report-run.js";
