import path from "node:path";

/**
 * What a phase's engine needs to assume its cloud roles: Bosun's OIDC token per cloud (each cloud
 * expects its own audience) and the role, client or service account of this phase.
 */
export interface CloudPhaseIdentity {
  aws?: { token: string; roleArn: string; sessionName: string };
  azure?: { token: string; clientId: string; tenantId: string; subscriptionId: string };
  gcp?: {
    token: string;
    /** `//iam.googleapis.com/projects/…/providers/…` */
    workloadIdentityProvider: string;
    serviceAccount: string | undefined;
  };
}

export interface CloudIdentityFiles {
  /** Absolute paths inside the phase's workspace, with their content. */
  files: { path: string; content: string }[];
  /** The engine's environment variables that point the providers at those files. */
  env: Record<string, string>;
}

/**
 * The token files and provider settings for `identity`, under the phase's own workspace: the only
 * directory the sandboxed engine shares with Bosun, deleted with the workspace when the phase ends.
 */
export function cloudIdentityFiles(
  workspace: string,
  identity: CloudPhaseIdentity | undefined,
): CloudIdentityFiles {
  const dir = path.join(workspace, "identity");
  const result: CloudIdentityFiles = { files: [], env: {} };
  const { aws, azure, gcp } = identity ?? {};
  if (aws) {
    const file = path.join(dir, "aws-token");
    result.files.push({ path: file, content: aws.token });
    Object.assign(result.env, {
      AWS_WEB_IDENTITY_TOKEN_FILE: file,
      AWS_ROLE_ARN: aws.roleArn,
      AWS_ROLE_SESSION_NAME: aws.sessionName,
    });
  }
  if (azure) {
    const file = path.join(dir, "azure-token");
    result.files.push({ path: file, content: azure.token });
    Object.assign(result.env, {
      ARM_USE_OIDC: "true",
      ARM_OIDC_TOKEN_FILE_PATH: file,
      ARM_CLIENT_ID: azure.clientId,
      ARM_TENANT_ID: azure.tenantId,
      ARM_SUBSCRIPTION_ID: azure.subscriptionId,
    });
  }
  if (gcp) {
    const file = path.join(dir, "gcp-token");
    const credentials = path.join(dir, "gcp-credentials.json");
    result.files.push(
      { path: file, content: gcp.token },
      { path: credentials, content: JSON.stringify(externalAccount(gcp, file), null, 2) },
    );
    result.env.GOOGLE_APPLICATION_CREDENTIALS = credentials;
  }
  return result;
}

/** Google's workload identity federation credential: the STS exchange reads the token file. */
function externalAccount(gcp: NonNullable<CloudPhaseIdentity["gcp"]>, tokenFile: string) {
  return {
    type: "external_account",
    audience: gcp.workloadIdentityProvider,
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    token_url: "https://sts.googleapis.com/v1/token",
    credential_source: { file: tokenFile },
    ...(gcp.serviceAccount
      ? {
          service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${gcp.serviceAccount}:generateAccessToken`,
        }
      : {}),
  };
}
