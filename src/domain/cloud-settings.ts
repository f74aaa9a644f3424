/**
 * Which cloud roles a component's phases assume with Bosun's OIDC token (bosun.yml `cloud`, read
 * from the tracked branch only): a plan gets the plan role, an apply the apply role.
 */
export interface CloudSettings {
  aws?: { plan_role_arn: string; apply_role_arn: string; audience?: string | undefined };
  gcp?: {
    /** `//iam.googleapis.com/projects/{number}/locations/global/workloadIdentityPools/{pool}/providers/{provider}` */
    workload_identity_provider: string;
    plan_service_account?: string | undefined;
    apply_service_account?: string | undefined;
    audience?: string | undefined;
  };
  azure?: {
    tenant_id: string;
    subscription_id: string;
    plan_client_id: string;
    apply_client_id: string;
    audience?: string | undefined;
  };
}

/** The audiences each cloud's token exchange expects unless `audience` says otherwise. */
export const DEFAULT_AUDIENCE = {
  aws: "sts.amazonaws.com",
  azure: "api://AzureADTokenExchange",
  gcp: (provider: string) => `https:${provider}`,
} as const;

/**
 * A component's settings: the stack's `cloud` replaces its environment's, cloud by cloud, since a
 * stack that names its own AWS roles means those for every environment it runs in.
 */
export function resolveCloudSettings(
  environment: CloudSettings | undefined,
  stack: CloudSettings | undefined,
): CloudSettings | undefined {
  const merged: CloudSettings = { ...environment, ...stack };
  return Object.keys(merged).length === 0 ? undefined : merged;
}
