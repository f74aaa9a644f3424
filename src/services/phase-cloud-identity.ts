import { DEFAULT_AUDIENCE } from "../domain/cloud-settings.js";
import type { TokenPhase } from "../identity/phase-token.js";
import type { Masker } from "../lib/redact.js";
import type { CloudPhaseIdentity } from "../runner/cloud-identity.js";
import type { PhaseTokenIssuer } from "./phase-token-port.js";
import type { RunComponentRecord } from "./run-port.js";

/**
 * Issues this phase's tokens for the clouds its spec names (one per cloud: each exchange expects
 * its own audience) and picks the phase's role. Every token is added to the phase's masker before
 * anything runs, so no log line or report can carry it. Undefined when the spec names no cloud.
 */
export async function issueCloudIdentity(
  issuer: PhaseTokenIssuer,
  record: RunComponentRecord,
  phase: TokenPhase,
  lifetimeMs: number,
  masker: Masker,
): Promise<CloudPhaseIdentity | undefined> {
  const cloud = record.spec.cloud;
  if (!cloud) return undefined;
  const tokenFor = async (audience: string): Promise<string> => {
    const { token } = await issuer.issue(
      {
        repository: record.repositoryFullName,
        repositoryId: record.repositoryId,
        stack: record.spec.stack,
        environment: record.spec.environment,
        phase,
        runId: record.runId,
        runKind: record.runKind,
        sha: record.spec.sourceSha ?? record.commitSha,
        ...(record.spec.ref ? { ref: record.spec.ref } : {}),
        // An apply acts on the confirmer's word: the token names them, not who opened the run.
        actor: phase === "apply" ? (record.confirmedBy ?? record.triggeredBy) : record.triggeredBy,
        audience,
      },
      lifetimeMs,
    );
    masker.add(token);
    return token;
  };
  const identity: CloudPhaseIdentity = {};
  if (cloud.aws) {
    identity.aws = {
      token: await tokenFor(cloud.aws.audience ?? DEFAULT_AUDIENCE.aws),
      roleArn: phase === "plan" ? cloud.aws.plan_role_arn : cloud.aws.apply_role_arn,
      // The run id: what CloudTrail shows for every call the phase makes.
      sessionName: record.runId,
    };
  }
  if (cloud.azure) {
    identity.azure = {
      token: await tokenFor(cloud.azure.audience ?? DEFAULT_AUDIENCE.azure),
      clientId: phase === "plan" ? cloud.azure.plan_client_id : cloud.azure.apply_client_id,
      tenantId: cloud.azure.tenant_id,
      subscriptionId: cloud.azure.subscription_id,
    };
  }
  if (cloud.gcp) {
    const provider = cloud.gcp.workload_identity_provider;
    identity.gcp = {
      token: await tokenFor(cloud.gcp.audience ?? DEFAULT_AUDIENCE.gcp(provider)),
      workloadIdentityProvider: provider,
      serviceAccount:
        phase === "plan" ? cloud.gcp.plan_service_account : cloud.gcp.apply_service_account,
    };
  }
  return identity;
}
