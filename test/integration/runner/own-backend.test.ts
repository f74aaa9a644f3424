import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyComponent, planComponent } from "../../../src/runner/run-component.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { runContext, type PhaseLines } from "../../helpers/runner-context.js";

const stack = {
  "infra/app/main.tf": `terraform {
  backend "local" {}
}
variable "size" {
  default = "small"
}
resource "terraform_data" "app" {
  input = var.size
}
`,
};

/** Plans and, when there are changes, applies one environment of the stack; the plan's outcome. */
async function deploy(
  environment: string,
  spec: { backendConfig?: Record<string, string>; workspace?: string },
  tarball: Buffer,
  seen: PhaseLines = { lines: [] },
): Promise<"changes" | "no-changes"> {
  const context = await runContext({ dir: "infra/app", environment, ...spec }, tarball, seen);
  const planned = await planComponent(context);
  if (planned.savedWorkspace) await applyComponent(context, planned.savedWorkspace);
  return planned.outcome;
}

describe("a stack with its own backend, per environment", () => {
  it("keeps dev and prod of one directory in separate states with backend_config", async () => {
    const states = await mkdtemp(path.join(os.tmpdir(), "bosun-states-"));
    const tarball = await repoTarball(stack);
    // The state lives outside the run's workspace, which is deleted after each phase.
    const spec = { backendConfig: { path: `${states}/app-\${environment}.tfstate` } };

    expect(await deploy("dev", spec, tarball)).toBe("changes");
    expect(await deploy("dev", spec, tarball)).toBe("no-changes");
    // prod has not been applied: its own state is empty, dev's resources are not in it.
    expect(await deploy("prod", spec, tarball)).toBe("changes");
    expect(await deploy("prod", spec, tarball)).toBe("no-changes");

    const dev = JSON.parse(await readFile(path.join(states, "app-dev.tfstate"), "utf8"));
    const prod = JSON.parse(await readFile(path.join(states, "app-prod.tfstate"), "utf8"));
    expect(dev.resources).toHaveLength(1);
    expect(prod.resources).toHaveLength(1);
    expect(dev.lineage).not.toBe(prod.lineage);
  });

  it("selects, creating it the first time, a workspace per environment", async () => {
    const states = await mkdtemp(path.join(os.tmpdir(), "bosun-states-"));
    const tarball = await repoTarball(stack);
    const spec = {
      backendConfig: { path: `${states}/default.tfstate`, workspace_dir: states },
      workspace: "app-${environment}",
    };
    const seen: PhaseLines = { lines: [] };

    expect(await deploy("dev", spec, tarball, seen)).toBe("changes");
    expect(seen.lines.map((line) => line.text)).toContain("workspace: app-dev");
    expect(await deploy("dev", spec, tarball)).toBe("no-changes");
    expect(await deploy("prod", spec, tarball)).toBe("changes");

    const dev = JSON.parse(await readFile(path.join(states, "app-dev/terraform.tfstate"), "utf8"));
    const prod = JSON.parse(
      await readFile(path.join(states, "app-prod/terraform.tfstate"), "utf8"),
    );
    expect(dev.lineage).not.toBe(prod.lineage);
    await expect(readFile(path.join(states, "default.tfstate"))).rejects.toThrow();
  });
});
