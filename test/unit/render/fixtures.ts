import type { PlanDeltaCounts } from "../../../src/domain/plan-summary.js";
import type { ChangesetReport, ComponentReport } from "../../../src/render/report-model.js";

export const zeroCounts: PlanDeltaCounts = {
  add: 0,
  change: 0,
  destroy: 0,
  replace: 0,
  import: 0,
  move: 0,
  forget: 0,
};

export const counts = (partial: Partial<PlanDeltaCounts>): PlanDeltaCounts => ({
  ...zeroCounts,
  ...partial,
});

export const digest = (seed: string): string => `sha256:${seed.repeat(64).slice(0, 64)}`;

export const runUrl = "https://bosun.example.com/runs/01J9Z8R2QK";

export function report(partial: Partial<ChangesetReport> = {}): ChangesetReport {
  return {
    runId: "01J9Z8R2QK",
    runUrl,
    environment: "dev",
    repository: "acme/infra",
    commitSha: "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    runKind: "proposed",
    runStatus: "PLANNED",
    components: [],
    ...partial,
  };
}

export function component(partial: Partial<ComponentReport> & { name: string }): ComponentReport {
  const [stack = partial.name] = partial.name.split("@");
  return {
    stack,
    dir: `infra/${stack}`,
    changeKind: "update",
    phase: "UNCONFIRMED",
    ...partial,
  };
}

export const noChangesPlan = [
  "No changes. Your infrastructure matches the configuration.",
  "",
  "OpenTofu has compared your real infrastructure against your configuration and found no",
  "differences, so no changes are needed.",
].join("\n");

export const vpcPlan = [
  "OpenTofu used the selected providers to generate the following execution",
  "plan. Resource actions are indicated with the following symbols:",
  "  + create",
  "",
  "OpenTofu will perform the following actions:",
  "",
  "  # aws_vpc.main will be created",
  '  + resource "aws_vpc" "main" {',
  "      + arn                  = (known after apply)",
  '      + cidr_block           = "10.0.0.0/16"',
  "      + id                   = (known after apply)",
  "      + tags                 = {",
  '          + "Name" = "dev"',
  "        }",
  "    }",
  "",
  "Plan: 1 to add, 0 to change, 0 to destroy.",
].join("\n");

export const replacePlan = [
  "OpenTofu used the selected providers to generate the following execution",
  "plan. Resource actions are indicated with the following symbols:",
  "  + create",
  "  ~ update in-place",
  "  - destroy",
  "-/+ destroy and then create replacement",
  "",
  "OpenTofu will perform the following actions:",
  "",
  "  # aws_instance.web must be replaced",
  '-/+ resource "aws_instance" "web" {',
  '      ~ ami                          = "ami-0aaa" -> "ami-0bbb" # forces replacement',
  '      ~ id                           = "i-0123456789abcdef0" -> (known after apply)',
  "        # (12 unchanged attributes hidden)",
  "    }",
  "",
  "  # aws_security_group.web will be updated in-place",
  '  ~ resource "aws_security_group" "web" {',
  '        id                     = "sg-0123"',
  "      ~ tags                   = {",
  '          ~ "Owner" = "team-a" -> "team-b"',
  "        }",
  "        # (7 unchanged attributes hidden)",
  "    }",
  "",
  "  # aws_s3_bucket.logs will be destroyed",
  "  # (because aws_s3_bucket.logs is not in configuration)",
  '  - resource "aws_s3_bucket" "logs" {',
  '      - bucket = "acme-dev-logs" -> null',
  "    }",
  "",
  "Plan: 1 to add, 1 to change, 2 to destroy.",
].join("\n");

/** A plan of `lines` lines, each `width` characters or so, as a long `tofu plan` prints. */
export function longPlan(lines: number, label = "item"): string {
  const body = Array.from(
    { length: lines - 2 },
    (_, index) => `      + ${label}_${String(index).padStart(5, "0")} = "value-${index}"`,
  );
  return ['  + resource "null_resource" "big" {', ...body, "    }"].join("\n");
}
