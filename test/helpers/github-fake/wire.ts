import { isDeepStrictEqual } from "node:util";

/** Which of GitHub's hosts a request went to: its REST API, its web host, or codeload. */
export type Site = "api" | "web" | "codeload";

/** How a request reached the fake: intercepted in this process, or over the loopback front. */
export type Front = "in-process" | "loopback";

/** A request as the fake sees it, whichever front it came through. */
export interface FakeRequest {
  front: Front;
  site: Site;
  method: string;
  /** The path under the site's root (`/repos/…`, without GHE's `/api/v3`), as sent: still encoded. */
  path: string;
  /** The query string without its `?` (e.g. `ref=…` of a file read), empty when none. */
  query: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed when it is JSON; the text otherwise; undefined when there is none. */
  body: unknown;
}

export interface FakeReply {
  status: number;
  /** An object is sent as JSON; a string or a Buffer as it is. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Where the sites of one front are, for answers that link to them (redirects, pages). */
export interface SiteUrls {
  api: string;
  web: string;
  codeload: string;
}

/** The reply's bytes and headers as they go on the wire. */
export function encodeReply(reply: FakeReply): { body: Buffer; headers: Record<string, string> } {
  const { body } = reply;
  if (body === undefined) return { body: Buffer.alloc(0), headers: { ...reply.headers } };
  if (Buffer.isBuffer(body)) return { body, headers: { ...reply.headers } };
  if (typeof body === "string") return { body: Buffer.from(body), headers: { ...reply.headers } };
  return {
    body: Buffer.from(JSON.stringify(body)),
    headers: { "content-type": "application/json; charset=utf-8", ...reply.headers },
  };
}

/** A request body as the fake records it: JSON parsed, anything else as text. */
export function decodeBody(text: string, contentType: string | undefined): unknown {
  if (text === "") return undefined;
  return /\bjson\b/.test(contentType ?? "") ? (JSON.parse(text) as unknown) : text;
}

/** A body as it goes on the wire, undefined fields dropped, for an exact comparison. */
export function onTheWire(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body)) as unknown;
}

/** `"any"`, or exactly these parameters (none when undefined). */
export type ExpectedQuery = Readonly<Record<string, string>> | "any" | undefined;

export function queryMatches(query: string, expected: ExpectedQuery): boolean {
  if (expected === "any") return true;
  return isDeepStrictEqual(Object.fromEntries(new URLSearchParams(query)), { ...expected });
}

export function headersMatch(
  headers: Record<string, string>,
  expected: Readonly<Record<string, string | RegExp>>,
): boolean {
  return Object.entries(expected).every(([name, value]) => {
    const sent = headers[name.toLowerCase()];
    if (sent === undefined) return false;
    return typeof value === "string" ? sent === value : value.test(sent);
  });
}

/** Requests of one kind answered from what the test set up, as often as they come. */
export interface Route {
  site: Site;
  method: string;
  path: RegExp;
  answer(request: FakeRequest, urls: SiteUrls): FakeReply;
}

export interface Routes {
  route(route: Route): void;
}
