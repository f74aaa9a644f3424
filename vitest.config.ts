import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One migrated PGlite data dir and PostgreSQL database per run; scratch databases copy them.
    globalSetup: ["test/helpers/database-templates.ts"],
    pool: "forks",
    // Flow tests run real engines and workers on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Each PGlite instance costs ~300 MB and the machines have 2 cores.
    maxWorkers: 2,
  },
});
