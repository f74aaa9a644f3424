import path from "node:path";
import { sourceArchiveRetention } from "../runner/source-archive-retention.js";
import type { RetentionTargets } from "../services/retention-port.js";
import type { Database } from "../store/database.js";
import { createRetentionRepository } from "../store/retention-repository.js";

/**
 * Where each kind of retained data lives: the database's tables, and the tarball cache in
 * BOSUN_DATA_DIR/archives (src/main.ts caches it there).
 */
export function retentionTargets(database: Database, dataDir: string): RetentionTargets {
  return {
    ...createRetentionRepository(database),
    tarballs: sourceArchiveRetention(path.join(dataDir, "archives")),
  };
}
