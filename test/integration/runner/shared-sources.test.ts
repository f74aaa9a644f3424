import { describe, expect, it } from "vitest";
import { planComponent } from "../../../src/runner/run-component.js";
import { repoTarball } from "../../helpers/repo-tarball.js";
import { runContext, type PhaseLines } from "../../helpers/runner-context.js";

const REPO = {
  "infra/app/main.tf": `variable "size" {}
resource "terraform_data" "app" {
  input = var.size
}
`,
  "infra/sizes/dev.tfvars": `size = "small"\n`,
  "docs/notes.md": "unrelated\n",
};

describe("a stack's sources beyond its dir", () => {
  it("plans with a var file shared from elsewhere in the repository", async () => {
    const seen: PhaseLines = { lines: [] };
    const context = await runContext(
      { dir: "infra/app", environment: "dev", varFiles: ["../sizes/${environment}.tfvars"] },
      await repoTarball(REPO),
      seen,
    );
    const planned = await planComponent(context);
    expect(planned.plan.resource_changes?.[0]?.change.after).toMatchObject({ input: "small" });
    expect(seen.lines.map((line) => line.text)).toContain(
      "source: 3 files; kept infra/app, infra/sizes/dev.tfvars",
    );
  });

  it("keeps the whole checkout with source: full", async () => {
    const seen: PhaseLines = { lines: [] };
    const context = await runContext(
      {
        dir: "infra/app",
        environment: "dev",
        varFiles: ["../sizes/${environment}.tfvars"],
        source: "full",
      },
      await repoTarball(REPO),
      seen,
    );
    await planComponent(context);
    expect(seen.lines.map((line) => line.text)).toContain("source: 3 files; kept .");
  });
});
