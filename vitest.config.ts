import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each PGlite instance costs ~300 MB and the machines have 2 cores.
    maxWorkers: 2,
  },
});
