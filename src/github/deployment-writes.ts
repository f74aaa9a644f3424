import { cutCodePoints } from "../render/limits.js";
import type { GithubRepoApi } from "../services/github-port.js";
import { GithubApiError } from "./github-api-error.js";
import type { GithubRepoCall } from "./github-repo-call.js";
import {
  Created,
  DEPLOYMENT_STATUS_DESCRIPTION_LIMIT,
  DeploymentRefused,
} from "./github-responses.js";

/** A GitHub deployment of an applied commit, and its statuses. */
export function deploymentWrites({
  octokit,
  fullName,
  owner,
  repo,
  attempt,
}: GithubRepoCall): Pick<GithubRepoApi, "createDeployment" | "setDeploymentStatus"> {
  return {
    createDeployment: async (input) => {
      const doing = `creating a deployment of ${input.ref} to ${input.environment}`;
      const response = await attempt(doing, () =>
        octokit.rest.repos.createDeployment({
          owner,
          repo,
          ref: input.ref,
          environment: input.environment,
          production_environment: input.production,
          transient_environment: false,
          description: input.description,
          payload: input.payload,
          // Bosun deploys the exact commit it applied: no merge of the default branch into it,
          // and no wait for commit statuses, which by default must all be green, Bosun's own
          // pending check included
          // (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment).
          auto_merge: false,
          required_contexts: [],
        }),
      );
      // 202: GitHub merged (or failed to merge) the default branch instead of deploying.
      if (response.status === 202) {
        const refused = DeploymentRefused.safeParse(response.data);
        const message = refused.success ? refused.data.message : undefined;
        const cause = new Error(message ?? "GitHub answered 202 without a message");
        throw new GithubApiError(`${doing} in ${fullName}`, cause, 202);
      }
      return attempt(doing, async () => Created.parse(response.data).id);
    },

    setDeploymentStatus: (deploymentId, state, input) =>
      attempt(`setting deployment ${deploymentId} to ${state}`, async () => {
        await octokit.rest.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: deploymentId,
          state,
          log_url: input.logUrl,
          description: truncateDescription(input.description),
          environment: input.environment,
          // Earlier successful deployments of the environment become inactive, so GitHub shows
          // only this one as active. GitHub's docs word it as "all prior non-transient,
          // non-production environment deployments" (it is also their default):
          // https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status
          ...(state === "success" ? { auto_inactive: true } : {}),
        });
      }),
  };
}

function truncateDescription(description: string): string {
  if (description.length <= DEPLOYMENT_STATUS_DESCRIPTION_LIMIT) return description;
  return `${cutCodePoints(description, DEPLOYMENT_STATUS_DESCRIPTION_LIMIT - 1, "utf16-units")}…`;
}
