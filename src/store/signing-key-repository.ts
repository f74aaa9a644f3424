import { desc, inArray } from "drizzle-orm";
import type { SigningKeyStore } from "../services/signing-key-port.js";
import type { Db } from "./database.js";
import { oidcSigningKeys } from "./schema/index.js";

export function createSigningKeyRepository(db: Db): SigningKeyStore {
  return {
    async all() {
      return db.select().from(oidcSigningKeys).orderBy(desc(oidcSigningKeys.createdAt));
    },
    async add(key) {
      await db.insert(oidcSigningKeys).values(key);
    },
    async remove(kids) {
      if (kids.length === 0) return;
      await db.delete(oidcSigningKeys).where(inArray(oidcSigningKeys.kid, [...kids]));
    },
  };
}
