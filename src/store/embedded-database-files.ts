import path from "node:path";

/**
 * The longest Unix socket path, in bytes: the kernel's address holds 108 on Linux and 104 on
 * macOS, with the terminating NUL. Node cuts a longer path short without a word, and would listen
 * on, or connect to, another file.
 */
const MAX_SOCKET_PATH_BYTES = 103;

/**
 * What Bosun keeps beside an embedded database's data directory (BOSUN_DATA_DIR/pgdata): the lock
 * file naming the process that has it open, and, while a Bosun serves it, the Unix socket the
 * `bosun` commands use (undefined when its path would be too long for one). The socket is named as
 * PostgreSQL names its own, so `psql "host=BOSUN_DATA_DIR/pgdata.socket user=postgres"` reaches
 * it too.
 */
export function embeddedDatabaseFiles(dataDir: string): {
  lock: string;
  socket: string;
  socketFits: boolean;
} {
  const socket = path.join(`${dataDir}.socket`, ".s.PGSQL.5432");
  return {
    lock: `${dataDir}.lock`,
    socket,
    socketFits: Buffer.byteLength(socket) <= MAX_SOCKET_PATH_BYTES,
  };
}
