/**
 * Writes schema/bosun.schema.json (bosun.yml), schema/runtime-config.schema.json (a trigger's
 * runtime config) and schema/notification.schema.json (a notification's payload) from the zod schemas in src/config/. Run after changing either:
 * `npx tsx scripts/generate-config-schema.ts`. The config tests fail while a committed file is stale.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "../src/config/repo-config.js";
import { runtimeConfigJsonSchema } from "../src/config/runtime-config.js";
import { notificationJsonSchema } from "../src/render/notification-payload.js";

for (const [file, schema] of [
  ["bosun.schema.json", configJsonSchema()],
  ["runtime-config.schema.json", runtimeConfigJsonSchema()],
  ["notification.schema.json", notificationJsonSchema()],
] as const) {
  const target = new URL(`../schema/${file}`, import.meta.url);
  await mkdir(new URL(".", target), { recursive: true });
  await writeFile(target, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${fileURLToPath(target)}`);
}
