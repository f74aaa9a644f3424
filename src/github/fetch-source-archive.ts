import type { Probot } from "probot";
import type { SourceArchiveFetcher } from "../services/ports.js";
import { splitFullName } from "./split-full-name.js";

/**
 * The repository's tarball at one commit (GET /repos/{owner}/{repo}/tarball/{ref}), downloaded
 * with the installation's token. GitHub answers with a redirect to a short-lived URL that the
 * client follows; the caller extracts it with limits.
 */
export function createSourceArchiveFetcher(probot: Probot): SourceArchiveFetcher {
  return async ({ installationId, repositoryFullName, sha }) => {
    const octokit = await probot.auth(installationId);
    const { owner, repo } = splitFullName(repositoryFullName);
    const response = await octokit.rest.repos.downloadTarballArchive({ owner, repo, ref: sha });
    const data: unknown = response.data;
    if (data instanceof ArrayBuffer) return Buffer.from(data);
    if (Buffer.isBuffer(data)) return data;
    if (typeof data === "string") return Buffer.from(data, "binary");
    throw new Error(`downloading ${repositoryFullName}@${sha}: unexpected response body`);
  };
}
