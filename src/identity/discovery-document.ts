import { SIGNING_ALGORITHM } from "./signing-key-ring.js";

/** Where the JWKS is served, under the issuer (the path GitHub Actions' issuer uses too). */
export const JWKS_PATH = "/.well-known/jwks";
export const DISCOVERY_PATH = "/.well-known/openid-configuration";

/** The claims a phase token carries besides the registered ones (src/identity/phase-token.ts). */
const CLAIMS = [
  "sub",
  "aud",
  "iss",
  "iat",
  "nbf",
  "exp",
  "jti",
  "repository",
  "repository_id",
  "stack",
  "environment",
  "phase",
  "run_id",
  "run_kind",
  "sha",
  "ref",
  "actor",
] as const;

/**
 * OpenID Connect Discovery 1.0 metadata: the fields AWS, Google and Entra ID read to trust an
 * issuer of federated tokens. Bosun only issues tokens, so there is no authorization endpoint.
 */
export function discoveryDocument(issuer: string) {
  return {
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
    scopes_supported: ["openid"],
    claims_supported: [...CLAIMS],
  };
}
