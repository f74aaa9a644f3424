import { nothingAffectedOutput } from "../../render/plan-notices.js";
import type { GithubRepoWriter } from "../github-port.js";

/** A pull request that changes no watched file: one neutral `bosun` check run says so. */
export async function reportNothingAffected(
  api: GithubRepoWriter,
  pullRequest: { number: number; headSha: string },
  publicUrl: string,
  configFile: string,
): Promise<void> {
  await api.createCheckRun(
    pullRequest.headSha,
    "bosun",
    {
      status: "completed",
      conclusion: "neutral",
      ...nothingAffectedOutput(configFile),
      text: "",
      actions: [],
      detailsUrl: publicUrl,
      annotations: [],
    },
    `pr-${pullRequest.number}`,
  );
}
