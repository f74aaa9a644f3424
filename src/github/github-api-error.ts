import { httpStatusOf } from "./http-status-of.js";

/**
 * A GitHub request that failed, saying what Bosun was doing. Callers branch on `status` (GitHub's
 * HTTP status; undefined for a network failure or an answer Bosun could not use), never on the
 * message; the original error is the `cause`.
 */
export class GithubApiError extends Error {
  override readonly name = "GithubApiError";
  readonly status: number | undefined;

  constructor(doing: string, cause: unknown, status = httpStatusOf(cause)) {
    super(`${doing}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.status = status;
  }
}
