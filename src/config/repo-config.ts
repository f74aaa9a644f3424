import { z } from "zod";
import { compileGlob } from "./compile-glob.js";
import { ApplyConfig } from "./apply-config.js";
import { nameSchema } from "./config-fields.js";
import { EnvironmentConfig } from "./environment-config.js";
import { NotificationsConfig } from "./notification-config.js";
import { PolicyConfig } from "./policy-config.js";
import { StackConfig } from "./stack-config.js";
import { StepsConfig } from "./steps-config.js";

/**
 * `bosun.yml`, the repository's own configuration (docs/design.md "Repo config: bosun.yml"): its zod
 * schema, the source of the committed JSON Schema. The parser is parse-repo-config.ts, the checks
 * across fields cross-check-config.ts, and the split between what a pull request may decide and
 * what only the tracked branch may (docs/design.md "Trust") split-trust.ts.
 *
 * Each section's schema has a file of its own (environment-config.ts, apply-config.ts,
 * stack-config.ts, policy-config.ts, with the shared field rules in config-fields.ts); this file
 * composes them and re-exports their names, so `bosun.yml`'s schema is imported from one place.
 */

export { ApplyConfig, ApplyRequirement } from "./apply-config.js";
export { IDENTIFIER_PATTERN } from "./config-fields.js";
export { EnvironmentConfig } from "./environment-config.js";
export { NotificationTarget } from "./notification-config.js";
export { PolicyConfig } from "./policy-config.js";
export { StepConfig, StepsConfig } from "./steps-config.js";
export {
  DEFAULT_WHEN_MODIFIED,
  DependencyConfig,
  onRemoveActions,
  StackConfig,
  stateModes,
} from "./stack-config.js";

/** What git check-ref-format accepts for a branch, short form. */
function isBranchName(value: string): boolean {
  return (
    value !== "@" &&
    !value.startsWith("-") &&
    !value.startsWith("refs/") &&
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    !/[\u0000-\u0020\u007f~^:?*[\\]|\.\.|@\{|\/\/|\/\.|^\.|\/$|\.$|\.lock$|\.lock\//.test(value)
  );
}

/** A `tracked_tags` pattern: a glob over tag names, matched whole (`v*`, `release-*`). */
const tagPattern = z
  .string()
  .min(1, "a pattern must not be empty")
  .max(255, "a tag pattern has at most 255 characters")
  .refine(
    (value) => !value.startsWith("refs/"),
    "name tags without refs/tags/: v*, not refs/tags/v*",
  )
  .superRefine((value, ctx) => {
    const compiled = compileGlob(value);
    if (!compiled.ok) ctx.addIssue({ code: "custom", message: compiled.problem });
  });

const branch = z
  .string()
  .max(255, "a branch name has at most 255 characters")
  .refine(isBranchName, "must be a branch name such as main or release/v2, without refs/heads/");

export const RepoConfig = z
  .strictObject({
    version: z
      .literal(1, { error: "must be 1, the only version of bosun.yml so far" })
      .describe("The version of this file's format: 1."),
    tracked_branch: branch
      .optional()
      .describe(
        "The branch whose pushes deploy and whose bosun.yml decides apply rules and policies. Default: the repository's default branch.",
      ),
    tracked_tags: z
      .array(tagPattern)
      .max(20, "at most 20 tag patterns")
      .default([])
      .describe(
        "Glob patterns of tag names whose push deploys, like a push to the tracked branch: a tracked run of the components changed between their deployed commit and the tag's. Read from the tracked branch.",
      ),
    environments: z
      .record(nameSchema("environment"), EnvironmentConfig)
      .default({})
      .describe("The deployment targets, by name (dev, prod)."),
    apply: ApplyConfig.prefault({}),
    stacks: z.array(StackConfig).default([]).describe("The root modules Bosun runs."),
    policies: z
      .array(PolicyConfig)
      .default([])
      .describe(
        "Checks evaluated on every plan. Always read from the tracked branch, never from the pull request.",
      ),
    steps: StepsConfig.optional().describe(
      "Custom steps every stack runs around its phases, hook by hook; a stack's own list for a hook replaces this one. Always read from the tracked branch, never from the pull request.",
    ),
    notifications: NotificationsConfig.default([]).describe(
      "Webhooks and Slack channels told of every run's events. Always read from the tracked branch, never from the pull request.",
    ),
  })
  .meta({
    title: "bosun.yml",
    description:
      "Bosun's repository configuration: environments, stacks, apply rules and policies. Unknown keys are errors.",
  });
export type RepoConfig = z.infer<typeof RepoConfig>;

/**
 * The JSON Schema of `bosun.yml` as a person writes it (defaults optional), for editors and for
 * `schema/bosun.schema.json`.
 */
export function configJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(RepoConfig, { io: "input" });
  return {
    $schema,
    $comment:
      "Generated from src/config/repo-config.ts by `npx tsx scripts/generate-config-schema.ts`; do not edit.",
    ...rest,
  };
}
