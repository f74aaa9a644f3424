import { readdir } from "node:fs/promises";
import path from "node:path";
import { parseHclFile } from "./local-modules.js";

const CONFIG_FILE = /\.(tf|tofu)(\.json)?$/;

/**
 * The root module's own `terraform { required_version }`, its terms joined when several blocks
 * set one (the engine requires them all); undefined when none does.
 */
export async function requiredVersion(dir: string): Promise<string | undefined> {
  const files = (await readdir(dir)).filter((name) => CONFIG_FILE.test(name)).sort();
  const terms: string[] = [];
  for (const name of files) {
    const document = await parseHclFile(path.join(dir, name), name);
    for (const block of document.terraform ?? []) {
      const value = (block as Record<string, unknown>).required_version;
      if (typeof value === "string" && value.trim() !== "") terms.push(value.trim());
    }
  }
  return terms.length > 0 ? terms.join(", ") : undefined;
}
