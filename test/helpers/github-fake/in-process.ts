import nock from "nock";
import { siteOf } from "./sites.js";
import {
  decodeBody,
  encodeReply,
  type FakeReply,
  type FakeRequest,
  type SiteUrls,
} from "./wire.js";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
const LOOPBACK = /^(127\.0\.0\.1|localhost)(:\d+)?$/;

/** What nock says of a request no interceptor took. */
interface NoMatch {
  method?: string;
  path?: string;
  hostname?: string;
  options?: { method?: string; path?: string; hostname?: string; host?: string };
}

/**
 * GitHub's sites in this process, through nock: every request to their hosts goes to `answer`,
 * and, with the real network off but for loopback, a request to any other host fails at once and
 * is reported to `stray`. Returns what undoes it.
 */
export function interceptInProcess(
  urls: SiteUrls,
  answer: (request: FakeRequest, urls: SiteUrls) => FakeReply,
  stray: (line: string) => void,
): () => void {
  nock.disableNetConnect();
  // Tests talk to their own servers on loopback; GitHub is never reachable.
  nock.enableNetConnect(LOOPBACK);
  const interceptors: nock.Interceptor[] = [];
  const origins = new Set(Object.values(urls).map((url) => new URL(url).origin));
  for (const origin of origins) {
    const scope = nock(origin).persist();
    for (const method of METHODS) {
      const interceptor = scope.intercept(() => true, method).query(true);
      interceptor.reply(function (uri, body) {
        const url = new URL(uri, origin);
        const where = siteOf(urls, url);
        const headers = Object.fromEntries(
          Object.entries(this.req.headers).map(([name, value]) => [name, String(value)]),
        );
        const request: FakeRequest = {
          front: "in-process",
          site: where?.site ?? "web",
          method,
          path: where?.path ?? url.pathname,
          query: url.search.slice(1),
          headers,
          // nock parses a JSON body already; anything else arrives as text.
          body: typeof body === "string" ? decodeBody(body, headers["content-type"]) : body,
        };
        const reply = answer(request, urls);
        const wire = encodeReply(reply);
        return [reply.status, wire.body, wire.headers];
      });
      interceptors.push(interceptor);
    }
  }
  const onNoMatch = (request: NoMatch): void => {
    const host = request.options?.hostname ?? request.hostname ?? request.options?.host ?? "";
    if (LOOPBACK.test(host)) return;
    const method = request.method ?? request.options?.method ?? "?";
    stray(`${method} ${host}${request.path ?? request.options?.path ?? ""}`);
  };
  nock.emitter.on("no match", onNoMatch);
  return () => {
    nock.emitter.removeListener("no match", onNoMatch);
    for (const interceptor of interceptors) nock.removeInterceptor(interceptor);
    nock.enableNetConnect();
  };
}
