/** Which phases receive a secret: plan gets read-only credentials where a team provides them. */
export const SECRET_SCOPES = ["plan", "apply", "both"] as const;
export type SecretScopeName = (typeof SECRET_SCOPES)[number];
