import { isDeepStrictEqual } from "node:util";
import {
  type ExpectedQuery,
  type FakeReply,
  type FakeRequest,
  headersMatch,
  onTheWire,
  queryMatches,
  type Site,
} from "./wire.js";

/** A request a test expects; what it leaves out is not compared, but for the query. */
export interface ExpectedRequest {
  /** GitHub's REST API unless said otherwise. */
  site?: Site;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Under the site's root, encoded as sent. */
  path: string;
  /** Exactly these parameters (the default: none), or `"any"`. */
  query?: ExpectedQuery;
  /** The exact body, as it goes on the wire (undefined fields dropped). */
  body?: unknown;
  headers?: Readonly<Record<string, string | RegExp>>;
}

export interface Expectation {
  request: ExpectedRequest;
  reply: FakeReply;
  met: boolean;
}

export function expectationMatches(expected: ExpectedRequest, request: FakeRequest): boolean {
  return (
    (expected.site ?? "api") === request.site &&
    expected.method === request.method &&
    expected.path === request.path &&
    queryMatches(request.query, expected.query) &&
    (expected.body === undefined || isDeepStrictEqual(request.body, onTheWire(expected.body))) &&
    headersMatch(request.headers, expected.headers ?? {})
  );
}

export function describeExpected(expected: ExpectedRequest): string {
  const query =
    expected.query === undefined
      ? ""
      : expected.query === "any"
        ? "?…"
        : `?${new URLSearchParams(expected.query).toString()}`;
  return `${expected.method} ${expected.site ?? "api"}:${expected.path}${query}`;
}
