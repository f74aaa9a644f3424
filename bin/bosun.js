#!/usr/bin/env node
// The built CLI (npm run build); during development use `npx tsx src/cli.ts`.
await import("../dist/cli.js");
