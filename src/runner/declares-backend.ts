import { readdir } from "node:fs/promises";
import path from "node:path";
import { parseHclFile } from "./local-modules.js";

const CONFIG_FILE = /\.(tf|tofu)(\.json)?$/;

/** Whether the root module in `dir` declares a `terraform { backend "…" {} }` of its own. */
export async function declaresBackend(dir: string): Promise<boolean> {
  const files = (await readdir(dir)).filter((name) => CONFIG_FILE.test(name)).sort();
  for (const name of files) {
    const document = await parseHclFile(path.join(dir, name), name);
    for (const block of document.terraform ?? []) {
      if ((block as Record<string, unknown>).backend !== undefined) return true;
    }
  }
  return false;
}
