import { mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../../src/runner/engine.js";
import { planComponent } from "../../../src/runner/run-component.js";
import { createSandbox } from "../../../src/runner/sandbox.js";
import { unpackSavedWorkspace } from "../../../src/runner/saved-workspace.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { runContext, type PhaseLines } from "../../helpers/runner-context.js";
import { STAND_IN_SANDBOX_PATHS, STAND_IN_TOFU } from "../../helpers/stand-in.js";

/** The engine as workers run it: in the bubblewrap sandbox, which sees its workspace only. */
const sandboxed = async () =>
  createEngine(
    "opentofu",
    STAND_IN_TOFU,
    await createSandbox({
      bwrap: "/usr/bin/bwrap",
      operatorPaths: STAND_IN_SANDBOX_PATHS.split(":"),
      uid: process.getuid?.(),
    }),
  );

const STACK = {
  "infra/app/main.tf": `terraform {
  required_providers {
    null = { source = "hashicorp/null" }
  }
}
resource "null_resource" "app" {
  triggers = { size = "small" }
}
`,
};
const ENTRY = "registry.opentofu.org/hashicorp/null/3.2.4";

async function plan(files: Record<string, string>, providerCache: string) {
  const engine = await sandboxed();
  const seen: PhaseLines = { lines: [] };
  // state: own without a backend block: the stand-in's local state, in the run's workspace.
  const context = await runContext(
    { dir: "infra/app", environment: "dev" },
    await repoTarball(files),
    seen,
    { providerCache, engine },
  );
  const planned = await planComponent(context);
  const init = seen.lines.filter((line) => line.phase === "INITIALIZING").map((l) => l.text);
  return { planned, init };
}

describe("the shared provider cache", () => {
  it("downloads a provider once: a second plan of the same providers downloads nothing", async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), "bosun-providers-"));
    const first = await plan(STACK, cache);
    expect(first.init).toContain("- Installing hashicorp/null v3.2.4...");
    expect(first.init.some((line) => line.startsWith(`providers cached: ${ENTRY}/`))).toBe(true);

    // The engines trust a cache entry only when the lock file holds its checksum: committed, as
    // the plan's own lock file would be.
    const { lockFile } = unpackSavedWorkspace(first.planned.savedWorkspace!);
    const locked = { ...STACK, "infra/app/.terraform.lock.hcl": lockFile!.toString("utf8") };
    const second = await plan(locked, cache);
    expect(second.init).toContain("- Using hashicorp/null v3.2.4 from the shared cache directory");
    expect(second.init.some((line) => line.includes("Installing"))).toBe(false);
    expect(second.init).toContain(
      `providers from the cache: ${ENTRY.replace(/\/3.2.4$/, "")} 3.2.4`,
    );
    expect(second.planned.outcome).toBe("changes");
  });

  it("survives inits at the same time: one whole entry, nothing half-moved left behind", async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), "bosun-providers-"));
    const plans = await Promise.all([1, 2, 3, 4].map(() => plan(STACK, cache)));
    expect(plans.every(({ planned }) => planned.outcome === "changes")).toBe(true);
    const platforms = await readdir(path.join(cache, ENTRY));
    expect(platforms).toHaveLength(1);
    const binary = path.join(cache, ENTRY, platforms[0]!, "terraform-provider-null_v3.2.4_x5");
    expect(await readFile(binary, "utf8")).toContain("stand-in provider placeholder");
    expect(await readdir(path.join(cache, ".incoming"))).toEqual([]);
  });
});
