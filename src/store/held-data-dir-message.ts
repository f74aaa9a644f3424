import type { LockHolder, LockRole } from "./data-dir-lock.js";
import { embeddedDatabaseFiles } from "./embedded-database-files.js";

/** Why the embedded database in `dataDir` cannot be had by a `wanted`, and what to do about it. */
export function heldDataDirMessage(
  dataDir: string,
  holder: LockHolder | undefined,
  wanted: LockRole,
): string {
  const files = embeddedDatabaseFiles(dataDir);
  const database = `the embedded database in ${dataDir}`;
  if (!holder) {
    return `${database} is locked by ${files.lock}, which names no process; if no Bosun and no bosun command is running, remove that file`;
  }
  if (holder.role === "command") {
    return `${database} is in use by a bosun command (pid ${holder.pid}); ${wanted === "server" ? "start Bosun" : "run this command"} again when it has finished`;
  }
  if (wanted === "server") {
    return `${database} is already open in a running Bosun (pid ${holder.pid}); only one process can open it (bosun start runs the web server and workers together): set DATABASE_URL to run several`;
  }
  const why = files.socketFits
    ? `nothing answers on ${files.socket}`
    : `the path ${files.socket} is too long for a Unix socket: a shorter BOSUN_DATA_DIR fixes it`;
  return `${database} is held by a running Bosun (pid ${holder.pid}) that does not serve local commands (${why}); stop it, then run the command again`;
}
