import type { Site, SiteUrls } from "./wire.js";

/**
 * GitHub's sites for a REST API root: github.com's three hosts, or, for GitHub Enterprise Server
 * (`PROTOCOL://HOST/api/v3`), one host serving the API, the web pages and archives under `/_codeload`.
 */
export function siteUrlsOf(apiUrl: string): SiteUrls {
  const api = new URL(apiUrl);
  if (api.hostname === "api.github.com") {
    return { api: api.origin, web: "https://github.com", codeload: "https://codeload.github.com" };
  }
  return { api: apiUrl.replace(/\/$/, ""), web: api.origin, codeload: `${api.origin}/_codeload` };
}

/** The site a URL is on and its path there (still encoded), or undefined when it is on none. */
export function siteOf(urls: SiteUrls, url: URL): { site: Site; path: string } | undefined {
  // Longest root first: on GitHub Enterprise Server the API and codeload are under the web root.
  const roots = (Object.entries(urls) as [Site, string][]).sort(
    ([, a], [, b]) => b.length - a.length,
  );
  for (const [site, root] of roots) {
    const base = new URL(root);
    const prefix = base.pathname.replace(/\/$/, "");
    if (base.origin !== url.origin) continue;
    if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) {
      return { site, path: url.pathname.slice(prefix.length) || "/" };
    }
  }
  return undefined;
}
