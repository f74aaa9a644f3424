import type { PhaseTokenIssuer } from "../services/phase-token-port.js";
import { issuePhaseToken } from "./phase-token.js";
import type { SigningKeyRing } from "./signing-key-ring.js";

/** The phase-token port over the signing key ring the issuer publishes (src/web/oidc-routes.ts). */
export function createPhaseTokenIssuer(options: {
  ring: SigningKeyRing;
  /** Bosun's public URL: the `iss` clouds look the JWKS up under. */
  issuer: string;
  /** The ring keeps a retired key published this long: no token may outlive it. */
  maxLifetimeMs: number;
  /**
   * Every token is handed here before it is returned, so the last masking pass over what leaves
   * Bosun (GitHub requests, run pages) knows it for as long as it is valid.
   */
  remember: (token: string, expiresAt: Date) => void;
}): PhaseTokenIssuer {
  return {
    async issue(subject, lifetimeMs) {
      const issued = await issuePhaseToken(
        options.ring,
        { issuer: options.issuer, lifetimeMs: Math.min(lifetimeMs, options.maxLifetimeMs) },
        subject,
      );
      options.remember(issued.token, issued.expiresAt);
      return issued;
    },
  };
}
