import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { openDatabase } from "../../src/store/database.js";
import {
  databaseUrl,
  PGLITE_TEMPLATE_VARIABLE,
  POSTGRES_ADMIN_URL,
  POSTGRES_TEMPLATE_VARIABLE,
  postgresAnswers,
} from "./databases.js";

/**
 * Vitest global setup: migrates one PGlite data directory and, when PostgreSQL answers, one
 * PostgreSQL database, once per run. A fresh PGlite costs an initdb (seconds) and migrating
 * costs as much again on either kind, in each of dozens of files; a copy of the template costs
 * a fraction. The workers are started after this and inherit the variables; outside Vitest
 * (benchmarks) they are unset and scratch databases are created and migrated as before.
 */
export async function setup(): Promise<() => Promise<void>> {
  const pgliteTemplate = await mkdtemp(path.join(os.tmpdir(), "bosun-template-"));
  const pglite = await openDatabase({ kind: "pglite", dataDir: pgliteTemplate });
  try {
    await pglite.migrate();
  } finally {
    // Closed before any copy is taken: PGlite writes everything out on close.
    await pglite.close();
  }
  process.env[PGLITE_TEMPLATE_VARIABLE] = pgliteTemplate;

  const postgresTemplate = (await postgresAnswers()) ? await migratedPostgresTemplate() : undefined;
  if (postgresTemplate) process.env[POSTGRES_TEMPLATE_VARIABLE] = postgresTemplate;

  return async () => {
    await rm(pgliteTemplate, { recursive: true, force: true });
    if (postgresTemplate) {
      const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${postgresTemplate} with (force)`);
      await admin.end();
    }
  };
}

async function migratedPostgresTemplate(): Promise<string> {
  const name = `bosun_template_${randomBytes(6).toString("hex")}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const database = await openDatabase({ kind: "postgres", url: databaseUrl(name) });
  try {
    await database.migrate();
  } finally {
    // CREATE DATABASE … TEMPLATE refuses a template anyone is connected to.
    await database.close();
  }
  return name;
}
