/**
 * Writes schema/bosun.schema.json, the JSON Schema of bosun.yml, from the zod schema in
 * src/config/repo-config.ts. Run after changing that schema: `npx tsx scripts/generate-config-schema.ts`.
 * test/unit/config/repo-config.test.ts fails while the committed file is stale.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "../src/config/repo-config.js";

const target = new URL("../schema/bosun.schema.json", import.meta.url);
await mkdir(new URL(".", target), { recursive: true });
await writeFile(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${fileURLToPath(target)}`);
