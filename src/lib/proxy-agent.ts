import { type Dispatcher, EnvHttpProxyAgent, fetch as undiciFetch } from "undici";

/**
 * HTTP_PROXY, HTTPS_PROXY and NO_PROXY as the operator set them (src/config/env.ts reads the
 * upper- and lower-case spellings, lower case first as curl does).
 */
export interface ProxySettings {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string | undefined;
}

/** The connection options a dispatcher's direct connections get (e.g. a checking `lookup`). */
export type DirectConnectOptions = EnvHttpProxyAgent.Options["connect"];

/**
 * A dispatcher for undici that sends each request through the proxy its URL's scheme names,
 * unless NO_PROXY matches the host (undici's EnvHttpProxyAgent: comma-separated hosts, `.domain`
 * suffixes, `host:port`, `*`), and to https targets through a CONNECT tunnel. `connect` applies
 * to direct connections only; the proxy itself is reached as configured.
 */
export function createProxyDispatcher(
  settings: ProxySettings,
  connect?: DirectConnectOptions,
): Dispatcher {
  return new EnvHttpProxyAgent({
    // Empty strings, not undefined, which would fall back to process.env; without HTTPS_PROXY,
    // https targets go through HTTP_PROXY.
    httpProxy: settings.httpProxy ?? "",
    httpsProxy: settings.httpsProxy ?? "",
    noProxy: settings.noProxy ?? "",
    ...(connect ? { connect } : {}),
  });
}

/**
 * A `fetch` that honours the proxy settings, for clients that take one (Octokit's
 * `request.fetch`, Slack's WebClient, engine downloads). It is undici's own fetch with the
 * dispatcher: Node 20's global fetch bundles an older undici, whose fetch cannot be trusted with
 * a dispatcher of this version.
 */
export function proxiedFetch(settings: ProxySettings): typeof fetch {
  const dispatcher = createProxyDispatcher(settings);
  // The two fetches differ only in their TypeScript declarations (undici's own Request and
  // Response types against the DOM's); at run time they take and give the same.
  const send = undiciFetch as unknown as (
    input: Parameters<typeof fetch>[0],
    init: RequestInit & { dispatcher: Dispatcher },
  ) => Promise<Response>;
  return (input, init) => send(input, { ...init, dispatcher });
}
