import type { SourceInspection } from "../runner/inspect-source.js";

/** Fetches a repository's source at one commit (GitHub's tarball). */
export type SourceArchiveFetcher = (input: {
  installationId: number;
  repositoryFullName: string;
  sha: string;
}) => Promise<Buffer>;

/** Reads a source archive's stacks without running anything: their paths, inputs and findings. */
export type SourceInspector = (
  archive: Buffer,
  stackDirs: readonly string[],
) => Promise<SourceInspection>;
