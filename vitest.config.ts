import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One migrated PGlite data dir and PostgreSQL database per run; scratch databases copy them.
    // And src/ as JavaScript once, so the tests' `bosun` processes start without tsx.
    globalSetup: ["test/helpers/database-templates.ts", "test/helpers/bosun-cli.ts"],
    pool: "forks",
    // Flow tests run real engines and workers on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Each PGlite instance costs ~300 MB and the machines have 2 cores.
    maxWorkers: 2,
  },
});
