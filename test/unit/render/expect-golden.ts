import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { expect } from "vitest";

const goldenDir = new URL("./golden/", import.meta.url);

// The repo formats Markdown with Prettier, which would rewrite a snapshot (align tables, change
// escapes) and break the byte-for-byte comparison. Prettier leaves a range between these markers
// alone; the blank lines keep each marker out of the HTML blocks a snapshot starts or ends with.
const START = "<!-- prettier-ignore-start -->\n\n";
const END = "\n\n<!-- prettier-ignore-end -->\n";

/**
 * Compares `actual` byte for byte with the snapshot `golden/<name>` (between Prettier's ignore
 * markers). `UPDATE_GOLDEN=1 npx vitest run test/unit/render` rewrites the snapshots instead.
 */
export function expectGolden(name: string, actual: string): void {
  const file = new URL(name, goldenDir);
  if (process.env["UPDATE_GOLDEN"] === "1") {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, `${START}${actual}${END}`);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(
      `no snapshot golden/${name}: run UPDATE_GOLDEN=1 npx vitest run test/unit/render`,
    );
  }
  const stored = readFileSync(file, "utf8");
  expect(stored.startsWith(START) && stored.endsWith(END), `golden/${name} keeps its markers`).toBe(
    true,
  );
  expect(actual).toBe(stored.slice(START.length, stored.length - END.length));
}
