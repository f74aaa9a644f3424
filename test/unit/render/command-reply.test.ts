import { describe, expect, it } from "vitest";
import {
  renderHelp,
  renderRefusal,
  type Refusal,
  type RefusalKind,
} from "../../../src/render/command-reply.js";
import { HELP_TEXT } from "../../../src/domain/command-help.js";
import { parseCommand } from "../../../src/domain/parse-command.js";
import type { ApprovalVerdict } from "../../../src/domain/evaluate-approval.js";
import { COMMENT_BODY_LIMIT } from "../../../src/render/limits.js";
import { expectGolden } from "./expect-golden.js";

const help = HELP_TEXT;
const PLANNED = "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39";
const OLD = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";
/** Two approvals needed: one counts, a reader's and an older commit's do not, a writer blocks. */
const approval: ApprovalVerdict = {
  plannedSha: PLANNED,
  required: 2,
  approvedBy: [{ user: "bob", commitId: PLANNED }],
  notCounted: [
    { user: "mallory", commitId: PLANNED, reason: "no-write-permission" },
    { user: "carol", commitId: OLD, reason: "other-commit" },
  ],
  changesRequestedBy: ["dave"],
  met: false,
};

// One of each kind; `satisfies` makes a new kind without an example a compile error.
const examples = {
  "no-permission": { kind: "no-permission", user: "octocat", needed: "write", command: "apply" },
  "requirements-unmet": {
    kind: "requirements-unmet",
    unmet: [
      { requirement: "approved", approval },
      {
        requirement: "mergeable",
        state: "blocked",
        blockedBy: ["required check `ci` has not passed"],
      },
      { requirement: "undiverged", behindBy: 2 },
    ],
  },
  "review-not-counted": {
    kind: "review-not-counted",
    user: "carol",
    approval: {
      ...approval,
      notCounted: [{ user: "carol", commitId: OLD, reason: "other-commit" }],
    },
  },
  "tracked-config-broken": { kind: "tracked-config-broken", branch: "main" },
  stale: {
    kind: "stale",
    moved: [
      { component: "network@dev", detail: "applied by run 01J9Z7 (#41) at 2024-05-01 10:00 UTC" },
    ],
  },
  "head-moved-since-comment": {
    kind: "head-moved-since-comment",
    headSha: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
  },
  "pr-head-moved": {
    kind: "pr-head-moved",
    plannedSha: "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    headSha: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
  },
  "unknown-stack": { kind: "unknown-stack", names: ["netwrok"], known: ["network", "app"] },
  "unknown-environment": {
    kind: "unknown-environment",
    names: ["stg", "qa"],
    known: ["dev", "prod"],
  },
  "nothing-to-apply": { kind: "nothing-to-apply" },
  "fork-not-allowed": { kind: "fork-not-allowed" },
  "bad-command": { kind: "bad-command", message: parseError("/aply network"), help },
  "still-planning": { kind: "still-planning", components: ["app@dev"] },
  "plan-failed": { kind: "plan-failed", components: ["db@dev", "app@dev"] },
  "policy-denied": {
    kind: "policy-denied",
    denials: [
      {
        component: "db@prod",
        policy: "no-database-deletes",
        message: "deletes aws_db_instance.main",
      },
    ],
  },
  "component-busy": {
    kind: "component-busy",
    busy: [{ component: "network@prod", runUrl: "https://bosun.example.com/runs/01J9Z7" }],
  },
  "unknown-run": { kind: "unknown-run", run: "not-a-run", help },
  "nothing-to-revert": { kind: "nothing-to-revert", run: "0b5f1c0e-4b7e-4f55-9d59-7f1d2a3b4c5d" },
  "not-promotable": {
    kind: "not-promotable",
    environment: "prod",
    reason:
      "prod is promoted from dev (promote_from), and this pull request's change has not been applied in dev: apply it there first",
  },
  "rerun-refused": { kind: "rerun-refused", reason: "pull request #7 is closed" },
} satisfies { [K in RefusalKind]: Extract<Refusal, { kind: K }> };

describe("renderRefusal", () => {
  it("renders every kind of refusal (golden file)", () => {
    const rendered = Object.entries(examples).map(
      ([kind, refusal]) => `<!-- ${kind} -->\n\n${renderRefusal(refusal)}`,
    );
    expectGolden("refusals.md", rendered.join("\n\n---\n\n"));
  });

  it.each<[string, Refusal, RegExp]>([
    [
      "who lacks permission",
      examples["no-permission"],
      /`octocat` does not have write permission.*`\/apply`/,
    ],
    [
      "every unmet requirement",
      examples["requirements-unmet"],
      /approved[\s\S]*mergeable[\s\S]*undiverged/,
    ],
    [
      "who approved which commit, and what did not count",
      examples["requirements-unmet"],
      /2 approving reviews of the planned commit `4f2a9c1`[\s\S]*`bob` approved `4f2a9c1`: counts[\s\S]*`mallory` approved `4f2a9c1`: does not count, without write permission[\s\S]*`carol` approved `9e8d7c6`: does not count for this plan[\s\S]*`dave` requested changes: blocks/,
    ],
    [
      "what moved and to re-plan",
      examples.stale,
      /network@dev: applied by run 01J9Z7 \\\(#&#8203;41\\\)[\s\S]*`\/plan`/,
    ],
    ["both commits", examples["pr-head-moved"], /`4f2a9c1`.*`9e8d7c6`.*`\/plan`/],
    [
      "the unknown and the known names",
      examples["unknown-stack"],
      /Unknown stack `netwrok`.*Known stacks: `network`, `app`/,
    ],
    [
      "several unknown environments",
      examples["unknown-environment"],
      /Unknown environments `stg`, `qa`.*Known environments: `dev`, `prod`/,
    ],
    [
      "the error and the help",
      examples["bad-command"],
      /^\*\*Could not read that command:\*\* .*`\/aply`[\s\S]*\*\*Bosun commands\*\*[\s\S]*\/apply \[STACK…\]/,
    ],
  ])("says %s", (_case, refusal, pattern) => {
    expect(renderRefusal(refusal)).toMatch(pattern);
  });

  it("escapes what users wrote", () => {
    const reply = renderRefusal({
      kind: "unknown-stack",
      names: ["`evil`</details>@admins"],
      known: [],
    });
    expect(reply).toContain("`` `evil`</details>@admins ``");
    expect(reply).toContain("This repository declares no stacks.");
  });

  it("keeps the parser's error as it is: it quotes the comment only in code spans", () => {
    const message = parseError("/pwn @org/team <img>");
    const reply = renderRefusal({ kind: "bad-command", message, help });
    expect(reply).toContain(message);
    expect(reply.replace(/`[^`]*`/g, "")).not.toMatch(/@org|<img/);
  });

  it("stays within a comment", () => {
    const names = Array.from({ length: 10_000 }, (_, index) => `stack-${index}`);
    const reply = renderRefusal({ kind: "unknown-stack", names, known: names });
    expect(reply.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT.max);
  });
});

describe("renderHelp", () => {
  it("gives Bosun's help, trimmed", () => {
    expect(renderHelp(`\n${help}\n\n`)).toBe(help);
  });
});

function parseError(comment: string): string {
  const parsed = parseCommand(comment);
  if (parsed.kind !== "error") throw new Error(`expected ${comment} not to parse`);
  return parsed.message;
}
