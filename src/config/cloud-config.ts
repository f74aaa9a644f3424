import { z } from "zod";
import type { CloudSettings } from "../domain/cloud-settings.js";

const awsRoleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    "must be an IAM role ARN (arn:aws:iam::123456789012:role/name)",
  );
const audience = z.string().min(1).max(512);
const uuid = (what: string) =>
  z
    .string()
    .regex(/^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/, `must be the ${what} (a UUID)`);
const serviceAccount = z
  .string()
  .regex(/^[^@\s]+@[^@\s]+\.iam\.gserviceaccount\.com$/, "must be a service account e-mail");

export const CloudConfig = z
  .strictObject({
    aws: z
      .strictObject({
        plan_role_arn: awsRoleArn.describe("The role plans assume: read-only."),
        apply_role_arn: awsRoleArn.describe("The role applies assume."),
        audience: audience.optional().describe("The token's aud. Default: sts.amazonaws.com."),
      })
      .optional()
      .describe("AWS: the engine assumes a role with AssumeRoleWithWebIdentity."),
    gcp: z
      .strictObject({
        workload_identity_provider: z
          .string()
          .regex(
            /^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[\w-]+\/providers\/[\w-]+$/,
            "must be //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER",
          )
          .describe("The workload identity pool provider that trusts Bosun."),
        plan_service_account: serviceAccount
          .optional()
          .describe("Impersonated by plans; unset, the federated identity is used directly."),
        apply_service_account: serviceAccount
          .optional()
          .describe("Impersonated by applies; unset, the federated identity is used directly."),
        audience: audience
          .optional()
          .describe("The token's aud. Default: https: followed by workload_identity_provider."),
      })
      .optional()
      .describe("Google Cloud: workload identity federation."),
    azure: z
      .strictObject({
        tenant_id: uuid("tenant id").describe("The Entra ID tenant of the app registrations."),
        subscription_id: uuid("subscription id").describe("The subscription the engine works in."),
        plan_client_id: uuid("client id").describe("The application (client) id plans sign in as."),
        apply_client_id: uuid("client id").describe(
          "The application (client) id applies sign in as.",
        ),
        audience: audience
          .optional()
          .describe("The token's aud. Default: api://AzureADTokenExchange."),
      })
      .optional()
      .describe("Azure: a federated credential on an app registration."),
  })
  .refine((cloud) => Object.keys(cloud).length > 0, {
    error: "name at least one of aws, gcp, azure",
  })
  .describe(
    "The cloud roles each phase assumes with Bosun's OIDC token: plans the plan role, applies the apply role. Read from the tracked branch only.",
  ) satisfies z.ZodType<CloudSettings>;
