import { z } from "zod";
import type { Comparison, GithubRepoApi } from "../services/github-port.js";
import type { CommitFileCache } from "./commit-file-cache.js";
import { downloadTarball } from "./download-tarball.js";
import type { GithubRepoCall } from "./github-repo-call.js";
import { COMPARE_FILE_LIMIT, CommitComparison } from "./github-responses.js";
import { httpStatusOf } from "./http-status-of.js";

/** A branch's reference: the commit it points at. */
const BranchRef = z.object({ object: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/) }) });

/**
 * What the repository holds at a commit: a file, the files changed between two, the tarball; and
 * which commit a branch points at.
 */
export function repoContentReads(
  { octokit, fullName, owner, repo, attempt }: GithubRepoCall,
  /** Files read at a full commit SHA, kept across jobs: such a read is made once per process. */
  files: CommitFileCache,
): Pick<GithubRepoApi, "readFile" | "compare" | "tarball" | "branchHead"> {
  return {
    readFile: async (path, ref) => {
      const remembered = files.get(fullName, path, ref);
      if (remembered.found) return remembered.content;
      const read = await attempt(`reading ${path} at ${ref}`, async () => {
        try {
          // The raw media type returns the file itself, also above 1 MB, where the JSON form
          // has empty `content` and `encoding: "none"`:
          // https://docs.github.com/en/rest/repos/contents#get-repository-content
          const { data } = await octokit.rest.repos.getContent({
            owner,
            repo,
            path,
            ref,
            mediaType: { format: "raw" },
          });
          const body: unknown = data;
          if (typeof body === "string") return { content: body, settled: true };
          if (body instanceof ArrayBuffer)
            return { content: Buffer.from(body).toString("utf8"), settled: true };
          // A directory is listed as JSON even when raw is asked for.
          throw new Error("not a file");
        } catch (error) {
          // Also what GitHub says for a ref that does not exist: the file is not there either.
          // That answer is not kept: a commit GitHub does not show yet may show in a moment.
          if (httpStatusOf(error) === 404)
            return { content: undefined, settled: !isMissingCommit(error) };
          throw error;
        }
      });
      // Only a full commit SHA is kept (the cache ignores anything else): a branch moves.
      if (read.settled) files.set(fullName, path, ref, read.content);
      return read.content;
    },

    compare: (base, head) =>
      attempt(`comparing ${base}...${head}`, async (): Promise<Comparison> => {
        // No paging parameters: "The list of changed files is only shown on the first page of
        // results, and it includes up to 300 changed files for the entire comparison"
        // (https://docs.github.com/en/rest/commits/commits#compare-two-commits); later pages
        // page through commits only (https://github.com/github/rest-api-description/issues/3552).
        const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
          owner,
          repo,
          basehead: `${base}...${head}`,
        });
        const parsed = CommitComparison.parse(data);
        const changed = parsed.files ?? [];
        return {
          files: changed.map((file) => ({
            filename: file.filename,
            previous_filename: file.previous_filename,
            status: file.status,
          })),
          // GitHub says nothing when it cuts the list; exactly 300 files counts as cut.
          truncated: parsed.files === undefined || changed.length >= COMPARE_FILE_LIMIT,
          behindBy: parsed.behind_by,
          mergeBaseSha: parsed.merge_base_commit.sha,
        };
      }),

    tarball: (sha) => downloadTarball(octokit, fullName, sha),

    branchHead: (branch) =>
      attempt(`reading the head of branch ${branch}`, async () => {
        try {
          // https://docs.github.com/en/rest/git/refs#get-a-reference
          const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
          return BranchRef.parse(data).object.sha;
        } catch (error) {
          if (httpStatusOf(error) === 404) return undefined;
          throw error;
        }
      }),
  };
}

/**
 * GitHub's 404 for a ref it does not know ("No commit found for the ref …"), as opposed to its
 * "Not Found" for a path that is not in the commit.
 */
const MissingCommit = z.object({
  response: z.object({ data: z.object({ message: z.string().regex(/no commit found/i) }) }),
});
function isMissingCommit(error: unknown): boolean {
  return MissingCommit.safeParse(error).success;
}
