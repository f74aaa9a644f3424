import { chmod, mkdir, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { type PGlite, protocol } from "@electric-sql/pglite";
import { PGLiteSocketHandler } from "@electric-sql/pglite-socket";
import type { Logger } from "pino";

/**
 * How long a session may hold the database while sending nothing. A command's statement or
 * transaction takes milliseconds; a session that stops inside one (a suspended process, a psql
 * left in BEGIN) would hold up every webhook and job, so it is cut off and its transaction rolled
 * back, as PostgreSQL's idle_in_transaction_session_timeout does.
 */
const HELD_IDLE_MS = 5_000;

/** ReadyForQuery saying "idle": what the backend sends when a statement is over, outside BEGIN. */
const READY_AND_IDLE = Uint8Array.from([0x5a, 0, 0, 0, 5, 0x49]);

/** The queue a PGLiteSocketHandler sends its messages to (its type is not exported by name). */
type MessageQueue = ConstructorParameters<typeof PGLiteSocketHandler>[0]["queryQueue"];

export interface LocalCommandServer {
  /** Stops listening, ends every session (rolling back what it left open) and removes the socket. */
  close(): Promise<void>;
}

/**
 * Serves the embedded database on a Unix socket to the `bosun` commands of this machine, through
 * pglite-socket's wire-protocol handler, while this process keeps using the same PGlite instance.
 *
 * What holds: pglite-socket's own server runs each wire message under PGlite's query mutex, and
 * nothing more. The process's own statements take the transaction mutex, which a message does not,
 * so a command's statement could run in the middle of one of this process's transactions, and
 * this process's statements inside a command's transaction, to be rolled back with it (both seen
 * with pglite-socket 0.2.18). Here a session instead holds PGlite's transaction mutex, the lock
 * that every `query`, `exec` and `transaction` of this process takes, from its first message until
 * the backend is idle again (ReadyForQuery "I": the statement is over and no transaction is open),
 * and a session that ends while holding it is rolled back first. So the process's statements and
 * transactions and each command's statements and transactions run whole, one after another, never
 * interleaved; between a command's statements the process goes on as usual.
 *
 * What does not: PGlite has one session, so settings a command changes (SET) and statements it
 * prepares by name stay after it; Bosun's commands connect with `prepare: false` and set nothing.
 *
 * The socket is in a directory of its own with mode 0700, and is itself 0600: whoever can connect
 * is the database's owner, with no password (docs/security.md).
 */
export async function serveLocalCommands(
  client: PGlite,
  socketPath: string,
  log: Logger,
  { heldIdleMs = HELD_IDLE_MS }: { heldIdleMs?: number } = {},
): Promise<LocalCommandServer> {
  const directory = path.dirname(socketPath);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
  // The caller holds the data directory's lock: a socket left here is a crashed process's.
  await rm(socketPath, { force: true });
  const sessions = new Set<Session>();
  const server = createServer((socket) => {
    const session = startSession(client, socket, log, heldIdleMs);
    sessions.add(session);
    socket.once("close", () => sessions.delete(session));
  });
  await listen(server, socketPath);
  server.on("error", (error) => log.warn({ err: error }, "local command socket failed"));
  try {
    await chmod(socketPath, 0o600);
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions].map((session) => session.end()));
      await closed;
      await rm(socketPath, { force: true });
    },
  };
}

function listen(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

interface Session {
  end(): Promise<void>;
}

interface Lease {
  release(): void;
}

/** Waits for PGlite's transaction mutex and keeps it until released. */
function takeLease(client: PGlite): Promise<Lease> {
  return new Promise((granted, refused) => {
    client
      ._runExclusiveTransaction(
        () => new Promise<void>((released) => granted({ release: () => released() })),
      )
      .catch(refused);
  });
}

function startSession(client: PGlite, socket: Socket, log: Logger, heldIdleMs: number): Session {
  let lease: Lease | undefined;
  let heldIdle: NodeJS.Timeout | undefined;
  // Messages run in the order they arrived; the handler may hand over the next before one ends.
  let tail: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = tail.then(work);
    tail = turn.catch(() => undefined);
    return turn;
  };
  const letGo = () => {
    lease?.release();
    lease = undefined;
  };

  const queue = {
    enqueue: (_handler: number, message: Uint8Array, onData: (data: Uint8Array) => void) =>
      inTurn(async () => {
        clearTimeout(heldIdle);
        lease ??= await takeLease(client);
        let sent = 0;
        let last: Uint8Array = new Uint8Array(0);
        await client.runExclusive(() =>
          client.execProtocolRawStream(message, {
            onRawData: (data) => {
              sent += data.length;
              last = lastBytes(last, data, READY_AND_IDLE.length);
              onData(data);
            },
          }),
        );
        if (sameBytes(last, READY_AND_IDLE)) letGo();
        else heldIdle = setTimeout(() => socket.destroy(), heldIdleMs);
        return sent;
      }),
    // Nothing waits in this queue: each message is run as it comes, in turn.
    clearQueueForHandler: () => undefined,
    // Called when the connection ends, however it ends.
    clearTransactionIfNeeded: () =>
      inTurn(async () => {
        clearTimeout(heldIdle);
        if (!lease) return;
        try {
          await client.runExclusive(async () => {
            // Ends an extended-query exchange the command left halfway (or failed, in which case
            // the backend ignores everything until a Sync), then what it left open.
            await client.execProtocolRaw(protocol.serialize.sync());
            if (client.isInTransaction()) {
              await client.execProtocolRaw(protocol.serialize.query("ROLLBACK"));
            }
          });
        } finally {
          letGo();
        }
      }),
  };

  const handler = new PGLiteSocketHandler({
    queryQueue: queue as unknown as MessageQueue,
    closeOnDetach: true,
  });
  handler.addEventListener("error", (event) =>
    log.debug({ err: (event as CustomEvent<unknown>).detail }, "local command session failed"),
  );
  handler.attach(socket).catch((error: unknown) => {
    log.warn({ err: error }, "local command session could not start");
    socket.destroy();
  });
  return {
    async end() {
      await handler.detach(true);
      await tail;
    },
  };
}

/** The last `count` bytes of `previous` followed by `data`. */
function lastBytes(previous: Uint8Array, data: Uint8Array, count: number): Uint8Array {
  if (data.length >= count) return data.slice(data.length - count);
  const joined = new Uint8Array(previous.length + data.length);
  joined.set(previous);
  joined.set(data, previous.length);
  return joined.slice(Math.max(0, joined.length - count));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
