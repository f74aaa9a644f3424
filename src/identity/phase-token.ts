import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { RunKind } from "../domain/run-kind.js";
import { SIGNING_ALGORITHM, type SigningKeyRing } from "./signing-key-ring.js";

export type TokenPhase = "plan" | "apply";

/** Who and what a phase's token speaks for (README "Cloud identity", the claims table). */
export interface PhaseTokenSubject {
  /** `owner/repo`. */
  repository: string;
  repositoryId: number;
  stack: string;
  environment: string;
  phase: TokenPhase;
  runId: string;
  runKind: RunKind;
  sha: string;
  /**
   * The git ref the run's commit came from (`refs/heads/main`, `refs/pull/7/head`); the claim is
   * left out while a run does not record it.
   */
  ref?: string;
  /** The GitHub login that started or approved the phase. */
  actor: string;
  /** From the `cloud` settings (for AWS `sts.amazonaws.com` unless set). */
  audience: string;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** The token's `sub`: what a cloud's trust policy matches, phase included. */
export function phaseTokenSub(subject: PhaseTokenSubject): string {
  return `repo:${subject.repository}:stack:${subject.stack}:environment:${subject.environment}:phase:${subject.phase}`;
}

/** Signs one phase's identity token, valid from now for `lifetimeMs` (the phase timeout). */
export async function issuePhaseToken(
  ring: SigningKeyRing,
  options: { issuer: string; lifetimeMs: number; now?: Date },
  subject: PhaseTokenSubject,
): Promise<IssuedToken> {
  const key = await ring.signingKey();
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  // Whole seconds, rounded down, so the token never outlives the phase.
  const expiresAt = issuedAt + Math.floor(options.lifetimeMs / 1000);
  const token = await new SignJWT({
    repository: subject.repository,
    repository_id: String(subject.repositoryId),
    stack: subject.stack,
    environment: subject.environment,
    phase: subject.phase,
    run_id: subject.runId,
    run_kind: subject.runKind,
    sha: subject.sha,
    ...(subject.ref ? { ref: subject.ref } : {}),
    actor: subject.actor,
  })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: "JWT" })
    .setIssuer(options.issuer)
    .setSubject(phaseTokenSub(subject))
    .setAudience(subject.audience)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(key.privateKey);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}
