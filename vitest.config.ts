import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One migrated PGlite data dir and PostgreSQL database per run; scratch databases copy them.
    // And src/ as JavaScript once, so the tests' `bosun` processes start without tsx.
    globalSetup: ["test/helpers/database-templates.ts", "test/helpers/bosun-cli.ts"],
    pool: "forks",
    // A worker keeps its modules from one file to the next: importing probot, octokit, PGlite and
    // drizzle again for each of ~100 files cost more than a minute. Test files share no module
    // state they depend on (each starts its own Bosun, database and GitHub fake).
    isolate: false,
    // Flow tests run real engines and workers on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // A flow test waits on engines, PostgreSQL and its fake GitHub more than it computes, so four
    // workers keep two cores busy; each PGlite instance costs ~300 MB of the machine's 24 GB.
    maxWorkers: 4,
  },
});
