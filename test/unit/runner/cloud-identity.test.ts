import { describe, expect, it } from "vitest";
import { cloudIdentityFiles } from "../../../src/runner/cloud-identity.js";

describe("cloudIdentityFiles", () => {
  it("is nothing without a cloud", () => {
    expect(cloudIdentityFiles("/ws", undefined)).toEqual({ files: [], env: {} });
  });

  it("points each cloud's provider at its own token file inside the workspace", () => {
    const { files, env } = cloudIdentityFiles("/ws", {
      aws: { token: "aws.jwt", roleArn: "arn:aws:iam::1:role/plan", sessionName: "run-1" },
      azure: { token: "azure.jwt", clientId: "client", tenantId: "tenant", subscriptionId: "sub" },
      gcp: {
        token: "gcp.jwt",
        workloadIdentityProvider:
          "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/b",
        serviceAccount: "plan@p.iam.gserviceaccount.com",
      },
    });
    expect(env).toEqual({
      AWS_WEB_IDENTITY_TOKEN_FILE: "/ws/identity/aws-token",
      AWS_ROLE_ARN: "arn:aws:iam::1:role/plan",
      AWS_ROLE_SESSION_NAME: "run-1",
      ARM_USE_OIDC: "true",
      ARM_OIDC_TOKEN_FILE_PATH: "/ws/identity/azure-token",
      ARM_CLIENT_ID: "client",
      ARM_TENANT_ID: "tenant",
      ARM_SUBSCRIPTION_ID: "sub",
      GOOGLE_APPLICATION_CREDENTIALS: "/ws/identity/gcp-credentials.json",
    });
    const content = (file: string) => files.find((entry) => entry.path === file)?.content;
    expect(content("/ws/identity/aws-token")).toBe("aws.jwt");
    expect(content("/ws/identity/azure-token")).toBe("azure.jwt");
    expect(content("/ws/identity/gcp-token")).toBe("gcp.jwt");
    expect(JSON.parse(content("/ws/identity/gcp-credentials.json") ?? "")).toEqual({
      type: "external_account",
      audience:
        "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/b",
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      credential_source: { file: "/ws/identity/gcp-token" },
      service_account_impersonation_url:
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/plan@p.iam.gserviceaccount.com:generateAccessToken",
    });
  });
});
