import type { IssuedToken, PhaseTokenSubject } from "../identity/phase-token.js";

export type { IssuedToken, PhaseTokenSubject };

/** Issues the OIDC token a phase presents to its cloud (src/identity/phase-token-issuer.ts). */
export interface PhaseTokenIssuer {
  /** A token for `subject`, valid from now for at most `lifetimeMs` (the phase timeout). */
  issue(subject: PhaseTokenSubject, lifetimeMs: number): Promise<IssuedToken>;
}
