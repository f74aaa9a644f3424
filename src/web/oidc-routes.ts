import { Hono } from "hono";
import { DISCOVERY_PATH, JWKS_PATH, discoveryDocument } from "../identity/discovery-document.js";
import type { SigningKeyRing } from "../identity/signing-key-ring.js";

/**
 * Clouds fetch these when they meet a key id they do not know; five minutes of caching keeps the
 * load low while a rotated key is still seen soon.
 */
const CACHE_CONTROL = "public, max-age=300";

/** Bosun as an OpenID Connect issuer: its discovery document and its public keys. */
export function oidcRoutes(deps: { issuer: string; keys: SigningKeyRing }): Hono {
  const app = new Hono();
  app.get(DISCOVERY_PATH, (c) => {
    c.header("Cache-Control", CACHE_CONTROL);
    return c.json(discoveryDocument(deps.issuer));
  });
  app.get(JWKS_PATH, async (c) => {
    c.header("Cache-Control", CACHE_CONTROL);
    c.header("Content-Type", "application/jwk-set+json");
    return c.body(JSON.stringify(await deps.keys.jwks()));
  });
  return app;
}
