/** Where the data lives: a PostgreSQL server, or the embedded PGlite (a directory, or memory). */
export type DatabaseTarget =
  { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string | undefined };
