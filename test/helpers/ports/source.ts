import type { HclFinding } from "../../../src/domain/hcl-finding.js";
import { TarballError } from "../../../src/runner/tarball-error.js";
import type { InspectionRequest, SourceInspection } from "../../../src/runner/inspect-source.js";
import type { SourceArchiveFetcher, SourceInspector } from "../../../src/services/source-port.js";

/** What a commit holds, as far as inspecting it goes. */
export interface CommitSource {
  /** Repo-relative path → text (bosun.yml among them). */
  files: Record<string, string>;
  /** Stack dir → the input variables it declares; a dir left out is one that cannot be read. */
  declaredVariables?: Record<string, string[]>;
  /** Stack dir → the dirs it is made of (its local modules); its own dir alone when left out. */
  watchedPaths?: Record<string, string[]>;
  findings?: HclFinding[];
  /** The archive is refused as hostile: nothing is read from it. */
  refused?: boolean;
}

/**
 * Source archives without archives: the "archive" of a commit is its SHA, and inspecting it
 * answers what the test declared for that commit. The request is honoured as the real inspector
 * does: the configuration file named, and the stack dirs the caller derives from its text.
 */
export class InMemorySource {
  readonly commits = new Map<string, CommitSource>();
  readonly fetched: string[] = [];
  readonly inspected: { sha: string; configFile: string; stackDirs: readonly string[] }[] = [];

  withCommit(sha: string, source: CommitSource): this {
    this.commits.set(sha, source);
    return this;
  }

  readonly fetchSource: SourceArchiveFetcher = async ({ sha }) => {
    if (!this.commits.has(sha)) throw new Error(`the test did not declare commit ${sha}`);
    this.fetched.push(sha);
    return Buffer.from(sha, "utf8");
  };

  readonly inspectSource: SourceInspector = async (archive, request: InspectionRequest) => {
    const sha = archive.toString("utf8");
    const commit = this.commits.get(sha);
    if (!commit) throw new Error(`inspecting an archive no fetch returned: ${sha}`);
    if (commit.refused) {
      return {
        watchedPaths: new Map(),
        findings: [],
        declaredVariables: new Map(),
        refused: new TarballError("path-traversal", `an entry of ${sha} reaches outside`),
      };
    }
    const configText = commit.files[request.configFile];
    const stackDirs = request.stackDirs(configText);
    this.inspected.push({ sha, configFile: request.configFile, stackDirs });
    const inspection: SourceInspection = {
      watchedPaths: new Map(stackDirs.map((dir) => [dir, commit.watchedPaths?.[dir] ?? [dir]])),
      findings: commit.findings ?? [],
      declaredVariables: new Map(
        stackDirs.flatMap((dir) => {
          const declared = commit.declaredVariables?.[dir];
          return declared === undefined ? [] : [[dir, declared] as const];
        }),
      ),
    };
    return configText === undefined ? inspection : { ...inspection, configText };
  };
}
