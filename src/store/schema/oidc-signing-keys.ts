import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { bytea } from "./run-components.js";

/**
 * A key Bosun signs its OIDC tokens with (README "Cloud identity"). The public half is published
 * in the JWKS; the private half exists only sealed under BOSUN_ENCRYPTION_KEY. The newest key
 * signs; older ones stay published until every token they signed has expired.
 */
export const oidcSigningKeys = pgTable("oidc_signing_keys", {
  /** The JWK thumbprint (RFC 7638) of the public key: the tokens' `kid`. */
  kid: text("kid").primaryKey(),
  publicJwk: jsonb("public_jwk").$type<Record<string, unknown>>().notNull(),
  sealedPrivateJwk: bytea("sealed_private_jwk").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
