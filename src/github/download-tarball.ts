import { GithubApiError } from "./github-api-error.js";
import type { InstallationOctokit } from "./process-delivery.js";
import { splitFullName } from "./split-full-name.js";

/**
 * The repository's tarball at one commit (GET /repos/{owner}/{repo}/tarball/{ref},
 * https://docs.github.com/en/rest/repos/contents#download-a-repository-archive-tar). GitHub
 * answers with a redirect to a short-lived codeload URL that the client follows; the caller
 * extracts it with limits.
 */
export async function downloadTarball(
  octokit: InstallationOctokit,
  fullName: string,
  sha: string,
): Promise<Buffer> {
  const doing = `downloading the tarball of ${fullName} at ${sha}`;
  const { owner, repo } = splitFullName(fullName);
  let data: unknown;
  try {
    ({ data } = await octokit.rest.repos.downloadTarballArchive({ owner, repo, ref: sha }));
  } catch (error) {
    throw new GithubApiError(doing, error);
  }
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (Buffer.isBuffer(data)) return data;
  // Octokit decodes a body as text only when it is labelled as text; kept byte for byte if so.
  if (typeof data === "string") return Buffer.from(data, "binary");
  throw new GithubApiError(doing, new Error(`unexpected response body (${typeof data})`));
}
