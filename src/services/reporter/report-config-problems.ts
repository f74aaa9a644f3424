import type { ConfigProblem as ParsedProblem } from "../../config/parse-repo-config.js";
import { renderAnnotations } from "../../render/annotations.js";
import { renderCheckRun } from "../../render/check-run-output.js";
import { renderPrComment } from "../../render/pr-comment.js";
import type { ChangesetReport } from "../../render/report-model.js";
import type { PullRequestStore } from "../pull-request-port.js";
import type { GithubRepoWriter } from "../github-port.js";
import { PR_COMMENT_MARKER } from "./report-run.js";

/**
 * A bad `bosun.yml` in the pull request: one failed check run (`bosun/config`) listing every
 * problem with its line, annotated on the file, and the pull request's comment saying the same.
 * Nothing is planned.
 */
export async function reportConfigProblems(
  deps: { pullRequests: PullRequestStore; publicUrl: string },
  api: GithubRepoWriter,
  input: {
    repository: { id: number; fullName: string };
    number: number | undefined;
    headSha: string;
  },
  problems: readonly ParsedProblem[],
): Promise<void> {
  const report: ChangesetReport = {
    runId: "",
    runUrl: deps.publicUrl,
    environment: "config",
    repository: input.repository.fullName,
    commitSha: input.headSha,
    runKind: "proposed",
    runStatus: "FAILED",
    configProblems: problems.map((problem) => ({
      file: "bosun.yml",
      path: problem.path,
      line: problem.line,
      message: problem.message,
    })),
    components: [],
  };
  const rendered = renderCheckRun(report);
  await api.createCheckRun(
    input.headSha,
    rendered.name,
    {
      status: rendered.status,
      conclusion: rendered.conclusion,
      title: rendered.output.title,
      summary: rendered.output.summary,
      text: rendered.output.text,
      actions: [],
      detailsUrl: deps.publicUrl,
      annotations: renderAnnotations(report),
    },
    `config-${input.number ?? input.headSha}`,
  );
  if (input.number === undefined) return;
  const pr = await deps.pullRequests.pullRequest(input.repository.id, input.number);
  const [body] = renderPrComment([report], { marker: PR_COMMENT_MARKER });
  if (!pr || body === undefined) return;
  const [existing] = pr.commentIds;
  const id = existing ?? (await api.createComment(input.number, body));
  if (existing !== undefined) await api.updateComment(existing, body);
  await deps.pullRequests.setComments(
    input.repository.id,
    input.number,
    [id, ...pr.commentIds.slice(1)],
    "",
  );
}
