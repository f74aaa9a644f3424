import type { InspectionRequest, SourceInspection } from "../runner/inspect-source.js";

/** Fetches a repository's source at one commit (GitHub's tarball). */
export type SourceArchiveFetcher = (input: {
  installationId: number;
  repositoryFullName: string;
  sha: string;
}) => Promise<Buffer>;

/**
 * Reads a source archive without running anything: its configuration file, and its stacks' paths,
 * inputs and findings.
 */
export type SourceInspector = (
  archive: Buffer,
  request: InspectionRequest,
) => Promise<SourceInspection>;
