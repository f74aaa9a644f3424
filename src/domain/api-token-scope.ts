/** What an API token may do on its repositories: read runs and logs, or also start and approve them. */
export const API_TOKEN_SCOPES = ["read", "trigger"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];
