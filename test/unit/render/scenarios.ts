import type { ChangesetReport } from "../../../src/render/report-model.js";
import {
  component,
  counts,
  digest,
  longPlan,
  noChangesPlan,
  replacePlan,
  report,
  vpcPlan,
  zeroCounts,
} from "./fixtures.js";

/** The reports behind the golden files, by file-name stem. */

export const noChanges: ChangesetReport = report({
  runStatus: "SUCCEEDED",
  components: [
    component({
      name: "network@dev",
      phase: "FINISHED",
      counts: zeroCounts,
      hasChanges: false,
      planDigest: digest("a1"),
      planText: noChangesPlan,
    }),
  ],
});

export const threeComponents: ChangesetReport = report({
  runStatus: "FAILED",
  components: [
    component({
      name: "network@dev",
      changeKind: "create",
      counts: counts({ add: 1 }),
      planDigest: digest("b2"),
      planText: vpcPlan,
    }),
    component({
      name: "db@dev",
      phase: "FAILED",
      failedDuring: "plan",
      failureReason: [
        "Error: Unsupported argument",
        "",
        '  on main.tf line 12, in resource "aws_db_instance" "main":',
        "  12:   storage_gb = 20",
        "",
        'An argument named "storage_gb" is not expected here.',
      ].join("\n"),
      diagnostics: [
        {
          severity: "error",
          summary: "Unsupported argument",
          detail: 'An argument named "storage_gb" is not expected here.',
          filename: "main.tf",
          line: 12,
          endLine: 12,
        },
        {
          severity: "warning",
          summary: "Deprecated attribute",
          detail: 'The attribute "name" is deprecated. Use "db_name" instead.',
          filename: "../modules/rds/variables.tf",
          line: 3,
        },
        { severity: "warning", summary: "Provider development overrides are in effect" },
      ],
    }),
    component({
      name: "app@dev",
      phase: "DEFERRED",
      waitingFor: ["network@dev"],
    }),
  ],
});

export const unconfirmed: ChangesetReport = report({
  components: [
    component({
      name: "web@dev",
      counts: counts({ add: 1, change: 1, destroy: 2, replace: 1 }),
      planDigest: digest("c3"),
      planText: replacePlan,
      scanFindings: [
        {
          kind: "local-exec",
          file: "infra/web/main.tf",
          name: "null_resource.migrate",
          detail: 'command = "./migrate.sh | tee log"',
        },
        {
          kind: "provider",
          file: "infra/web/versions.tf",
          name: "hashicorp/null",
          detail: "required_providers null ~> 3.2",
        },
      ],
    }),
    component({
      name: "network@dev",
      changeKind: "create",
      counts: counts({ add: 1 }),
      planDigest: digest("b2"),
      planText: vpcPlan,
      policyFindings: [
        { policy: "big-change", level: "warn", message: "more than 50 resources change" },
      ],
    }),
  ],
});

export const stale: ChangesetReport = report({
  stale: { reason: "network@dev was applied by run 01J9Z7 after this plan was made." },
  components: [
    component({
      name: "network@dev",
      changeKind: "create",
      counts: counts({ add: 1 }),
      planDigest: digest("b2"),
      planText: vpcPlan,
    }),
  ],
});

export const hugePlan: ChangesetReport = report({
  components: [
    component({
      name: "fleet@dev",
      changeKind: "create",
      counts: counts({ add: 9_998 }),
      planDigest: digest("d4"),
      planText: longPlan(10_000),
    }),
    component({
      name: "network@dev",
      changeKind: "create",
      counts: counts({ add: 1 }),
      planDigest: digest("b2"),
      planText: vpcPlan,
    }),
  ],
});

export const hostile: ChangesetReport = report({
  runStatus: "FAILED",
  components: [
    component({
      name: "web@dev",
      counts: counts({ change: 1 }),
      planDigest: digest("e5"),
      planText: [
        "  # aws_ssm_parameter.readme will be updated in-place",
        '  ~ resource "aws_ssm_parameter" "readme" {',
        "      ~ value = <<-EOT",
        "          ```",
        "          </details>",
        "          <script>alert(1)</script>",
        "          ````md",
        "          @octocat please look at #1",
        "          ```",
        "        EOT",
        "    }",
        "",
        "Plan: 0 to add, 1 to change, 0 to destroy.",
      ].join("\n"),
      policyFindings: [
        {
          policy: "no-`backticks`",
          level: "deny",
          message:
            "Denied for @acme/admins: see #12 and <img src=x onerror=alert(1)> | [link](javascript:alert(1))",
        },
      ],
    }),
    component({
      name: "db@dev",
      phase: "FAILED",
      failedDuring: "plan",
      failureReason:
        "plan interrupted; state may be partially changed\n```\n</details>\n<b>bold</b>",
      diagnostics: [
        {
          severity: "error",
          summary: "Value `</details>` is *not* <valid> for @here",
          detail: "```\n</details>",
          filename: "main.tf",
          line: 7,
        },
      ],
    }),
  ],
});
