import type { RepoConfig } from "../config/repo-config.js";
import { parseRepoConfig } from "../config/parse-repo-config.js";
import type { GithubRepoReader } from "./github-port.js";

/** The repository file that declares Bosun's stacks, environments and rules. */
export const CONFIG_FILE = "bosun.yml";

export type TrackedConfig =
  | { kind: "valid"; config: RepoConfig; branch: string }
  | { kind: "none"; branch: string }
  | { kind: "invalid"; branch: string };

/** The tracked branch's `bosun.yml`, which holds the rules a pull request cannot loosen. */
export async function loadTrackedConfig(
  api: GithubRepoReader,
  defaultBranch: string,
): Promise<TrackedConfig> {
  const read = async (branch: string): Promise<TrackedConfig> => {
    const text = await api.readFile(CONFIG_FILE, branch);
    if (text === undefined) return { kind: "none", branch };
    const parsed = parseRepoConfig(text, CONFIG_FILE);
    return parsed.ok
      ? { kind: "valid", config: parsed.config, branch }
      : { kind: "invalid", branch };
  };
  const first = await read(defaultBranch);
  const trackedBranch = first.kind === "valid" ? first.config.tracked_branch : undefined;
  return trackedBranch && trackedBranch !== defaultBranch ? read(trackedBranch) : first;
}
