import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mergeProviderCache, seedProviderCache } from "../../../src/runner/provider-cache.js";

const ENTRY = "registry.opentofu.org/hashicorp/null/3.2.4/linux_amd64";

async function dirs() {
  const root = await mkdtemp(path.join(os.tmpdir(), "bosun-cache-"));
  const made = {
    sharedDir: path.join(root, "shared"),
    privateDir: path.join(root, "ws", "providers"),
    stackDir: path.join(root, "ws", "src"),
  };
  for (const dir of Object.values(made)) await mkdir(dir, { recursive: true });
  return made;
}

async function provider(root: string, content: string, entry = ENTRY): Promise<void> {
  await mkdir(path.join(root, entry), { recursive: true });
  await writeFile(path.join(root, entry, "terraform-provider-null"), content);
}

describe("the provider cache", () => {
  it("seeds the entries the lock file names, and only from inside the cache", async () => {
    const at = await dirs();
    await provider(at.sharedDir, "shared");
    await provider(at.sharedDir, "other", "registry.opentofu.org/hashicorp/aws/5.0.0/linux_amd64");
    await writeFile(
      path.join(at.stackDir, ".terraform.lock.hcl"),
      `provider "registry.opentofu.org/hashicorp/null" {\n  version = "3.2.4"\n}\n` +
        `provider "../../.." {\n  version = "ws"\n}\n`,
    );
    expect(await seedProviderCache(at)).toEqual(["registry.opentofu.org/hashicorp/null 3.2.4"]);
    expect(await readFile(path.join(at.privateDir, ENTRY, "terraform-provider-null"), "utf8")).toBe(
      "shared",
    );
    expect(await readdir(path.join(at.privateDir, "registry.opentofu.org/hashicorp"))).toEqual([
      "null",
    ]);
  });

  it("merges new entries and never replaces one another run put there", async () => {
    const at = await dirs();
    await provider(at.sharedDir, "first");
    await provider(at.privateDir, "tampered");
    const newer = "registry.opentofu.org/hashicorp/null/3.2.5/linux_amd64";
    await provider(at.privateDir, "new", newer);
    expect(await mergeProviderCache(at)).toEqual([newer]);
    expect(await readFile(path.join(at.sharedDir, ENTRY, "terraform-provider-null"), "utf8")).toBe(
      "first",
    );
    expect(await readFile(path.join(at.sharedDir, newer, "terraform-provider-null"), "utf8")).toBe(
      "new",
    );
  });
});
