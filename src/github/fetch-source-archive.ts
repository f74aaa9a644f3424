import type { Probot } from "probot";
import type { SourceArchiveFetcher } from "../services/source-port.js";
import { downloadTarball } from "./download-tarball.js";

/** The repository's tarball at one commit, with the installation's token. */
export function createSourceArchiveFetcher(probot: Probot): SourceArchiveFetcher {
  return async ({ installationId, repositoryFullName, sha }) =>
    downloadTarball(await probot.auth(installationId), repositoryFullName, sha);
}
