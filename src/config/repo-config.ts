import { z } from "zod";
import { CloudConfig } from "./cloud-config.js";
import { compileGlob } from "./compile-glob.js";
import {
  MAX_POLICY_EXPRESSION_LENGTH,
  parsePolicyExpression,
} from "../policy/parse-policy-expression.js";
import { ENGINE_KINDS } from "../domain/engine-kind.js";
import { APPLY_REQUIREMENTS } from "../domain/evaluate-requirements.js";

/**
 * `bosun.yml`, the repository's own configuration (docs/design.md "Repo config: bosun.yml"): its zod
 * schema, the source of the committed JSON Schema. The parser is parse-repo-config.ts, the checks
 * across fields cross-check-config.ts, and the split between what a pull request may decide and
 * what only the tracked branch may (docs/design.md "Trust") split-trust.ts.
 */

/** Stack, environment and policy names: they end up in check run names, URLs and TF_VAR values. */
const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const MAX_NAME_LENGTH = 64;
const NAME_RULE = "lowercase letters, digits, - and _, starting with a letter or digit";

const name = (what: string) =>
  z
    .string()
    .max(MAX_NAME_LENGTH, `${what} names have at most ${MAX_NAME_LENGTH} characters`)
    .regex(NAME_PATTERN, `${what} names are ${NAME_RULE}`);

/** Terraform's identifier rule, which input variables and outputs follow. */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const identifier = (what: string) =>
  z
    .string()
    .regex(
      IDENTIFIER_PATTERN,
      `${what}s are letters, digits, _ and -, starting with a letter or _`,
    );

/** Why a repo-relative path is refused, or undefined when it is fine. */
function pathProblem(value: string, allowRoot: boolean): string | undefined {
  if (value === "") return "must not be empty";
  if (value.startsWith("/")) return "must be relative, without a leading /";
  if (value.includes("\\")) return "must use / as the separator";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) return "must not contain control characters";
  const segments = value.split("/");
  // Only the stack's directory and its local modules are checked out for a run
  // (runner/source-tree.ts), so nothing may reach outside them.
  if (segments.includes("..")) return "must not contain .. segments";
  if (value === ".") return allowRoot ? undefined : "must name a file";
  if (segments.some((segment) => segment === "" || segment === ".")) {
    return "must be a normalized path: no empty or . segments and no trailing /";
  }
  return undefined;
}

const relativePath = (allowRoot: boolean) =>
  z.string().superRefine((value, ctx) => {
    const problem = pathProblem(value, allowRoot);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

const VAR_FILE_PLACEHOLDER = "${environment}";

const varFile = relativePath(false).superRefine((value, ctx) => {
  const rest = value.replaceAll(VAR_FILE_PLACEHOLDER, "");
  // A typo such as ${env} would otherwise reach the engine as a literal file name.
  if (rest.includes("${")) {
    ctx.addIssue({ code: "custom", message: `only ${VAR_FILE_PLACEHOLDER} is substituted` });
  }
});

const MAX_GLOB_LENGTH = 1024;
/** Each pattern is matched against each changed file: the product is what is bounded. */
const MAX_GLOBS = 100;
const glob = z
  .string()
  .min(1, "a pattern must not be empty")
  .max(MAX_GLOB_LENGTH, `a pattern has at most ${MAX_GLOB_LENGTH} characters`)
  .superRefine((value, ctx) => {
    const pattern = value.startsWith("!") ? value.slice(1) : value;
    if (pattern.startsWith("/")) {
      ctx.addIssue({ code: "custom", message: "patterns are relative to the stack's dir: no /" });
    }
    // Files outside the stack's dir are never matched (local modules are followed on their own),
    // so a pattern reaching out would silently watch nothing.
    if (pattern.split("/").includes("..")) {
      ctx.addIssue({
        code: "custom",
        message: "patterns are relative to the stack's dir and cannot reach outside it with ..",
      });
    }
    // A pattern comes from the pull request: one the matcher refuses is a problem with its line.
    const compiled = compileGlob(pattern);
    if (!compiled.ok) ctx.addIssue({ code: "custom", message: compiled.problem });
  });

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

const branch = z
  .string()
  .max(255, "a branch name has at most 255 characters")
  .refine(isBranchName, "must be a branch name such as main or release/v2, without refs/heads/");

/** Rejects repeats in a list where order carries no meaning and a repeat is a slip. */
function unique<T extends z.ZodType<string>>(item: T, what: string) {
  return z.array(item).superRefine((values, ctx) => {
    values.forEach((value, index) => {
      const first = values.indexOf(value);
      if (first !== index) {
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `${what} "${value}" is already listed at [${first}]`,
        });
      }
    });
  });
}

const JsonValue = z.json().meta({
  id: "JsonValue",
  description: "Any JSON value: string, number, boolean, null, list, map.",
});

export const EnvironmentConfig = z
  .strictObject({
    variables: z
      .record(identifier("variable name"), JsonValue)
      .default({})
      .describe(
        "Non-secret input variables for every stack in this environment, passed as TF_VAR_<name>: strings as they are, anything else as JSON. Secrets do not belong here.",
      ),
    promote_from: name("environment")
      .optional()
      .describe(
        "The environment whose changes may be promoted into this one with /promote ENV (for prod: dev); that environment must have applied the exact change first. Read from the tracked branch.",
      ),
    production: z
      .boolean()
      .default(false)
      .describe("Marks the GitHub deployments of this environment as production deployments."),
    cloud: CloudConfig.optional(),
  })
  .describe("A deployment target. A stack is instantiated once per environment it lists.");
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

export const ApplyRequirement = z
  .enum(APPLY_REQUIREMENTS)
  .describe(
    "approved: the latest review of enough users with write permission (apply.approvals, other than the author) approves the very commit that was planned, and no such user's latest review requests changes. mergeable: GitHub reports the pull request mergeable (its mergeable_state: no conflicts, not behind, required reviews, checks and rules satisfied), Bosun's own bosun/* checks left out. undiverged: the pull request's branch contains the tracked branch's head.",
  );
export type ApplyRequirement = z.infer<typeof ApplyRequirement>;

export const ApplyConfig = z
  .strictObject({
    requirements: unique(ApplyRequirement, "requirement")
      .default([])
      .describe(
        "What must hold before a pull request's plan is applied, on top of the rule that only users with write permission apply. Any subset of approved, mergeable, undiverged.",
      ),
    approvals: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(1)
      .describe(
        "How many distinct users with write permission, other than the author, must approve the planned commit for the approved requirement (and before approve_on_review confirms).",
      ),
    approve_on_review: z
      .boolean()
      .default(false)
      .describe(
        "Confirm an unconfirmed run when a user with write permission approves the planned commit, as if they had commented /apply; the requirements (approvals counted as for approved) must hold.",
      ),
    allow_forks: z
      .boolean()
      .default(false)
      .describe(
        "Plan pull requests from forks. A plan runs the pull request's code, so this lets anyone who can fork the repository run code with the plan's credentials.",
      ),
  })
  .describe(
    "Who may apply and when. Always read from the tracked branch, never from the pull request.",
  );
export type ApplyConfig = z.infer<typeof ApplyConfig>;

export const onRemoveActions = ["destroy", "orphan"] as const;
export const stateModes = ["managed", "own"] as const;

export const DEFAULT_WHEN_MODIFIED = [
  "**/*.tf",
  "**/*.tofu",
  "**/*.tfvars",
  "**/*.tfvars.json",
  "**/.terraform.lock.hcl",
];

export const DependencyConfig = z
  .strictObject({
    stack: name("stack").describe("The upstream stack, applied before this one in each wave."),
    inputs: z
      .record(identifier("variable name"), identifier("output name"))
      .default({})
      .describe(
        "Input variable of this stack → output of the upstream stack in the same environment: `vpc_id: vpc_id` sets TF_VAR_vpc_id to the upstream's output vpc_id.",
      ),
  })
  .describe("An upstream stack whose outputs this stack reads.");
export type DependencyConfig = z.infer<typeof DependencyConfig>;

export const StackConfig = z
  .strictObject({
    name: name("stack").describe(
      "Unique name of the stack; with an environment it names a component (network@prod).",
    ),
    dir: relativePath(true).describe(
      "The root module's directory, relative to the repository root, / separated (. for the root itself).",
    ),
    engine: z
      .enum(ENGINE_KINDS)
      .default("opentofu")
      .describe("The engine that runs this stack: opentofu (tofu) or terraform."),
    environments: unique(name("environment"), "environment")
      .min(1, "a stack needs at least one environment")
      .describe(
        "The environments this stack is deployed to, each declared under the top-level environments.",
      ),
    var_files: z
      .array(varFile)
      .default([])
      .describe(
        "Variable files relative to dir, passed with -var-file in order. ${environment} is replaced by the environment's name.",
      ),
    when_modified: z
      .array(glob)
      .max(MAX_GLOBS, `at most ${MAX_GLOBS} patterns`)
      .default(DEFAULT_WHEN_MODIFIED)
      .describe(
        "Glob patterns (relative to dir, and to each local module's directory) of the files whose change plans this stack. A pattern starting with ! excludes what earlier patterns matched; the last matching pattern decides. Local modules the stack uses are followed. Syntax: *, ?, [...] and [!...], {a,b}, and ** as a whole path segment; extglobs (+(...), *(...), @(...), ...) are refused. At most 100 patterns of 1024 characters each.",
      ),
    autodeploy: z
      .boolean()
      .default(false)
      .describe(
        "Apply without waiting for /apply when no policy warned or denied. Read from the tracked branch: a pull request cannot switch it on for itself.",
      ),
    on_remove: z
      .enum(onRemoveActions)
      .default("destroy")
      .describe(
        "What removing the stack (or one of its environments) from bosun.yml does: destroy its resources, then stop managing it; or orphan: stop managing it and leave the resources in place.",
      ),
    state: z
      .enum(stateModes)
      .optional()
      .describe(
        "managed: Bosun's own versioned, locked and encrypted state backend. own: the backend the stack declares. Unset: managed, unless the stack declares a backend.",
      ),
    depends_on: z
      .array(DependencyConfig)
      .default([])
      .describe(
        "Upstream stacks: they apply first, and their outputs become this stack's inputs. An upstream must be deployed to every environment this stack is.",
      ),
    cloud: CloudConfig.optional().describe(
      "Replaces, cloud by cloud, the cloud settings of every environment this stack runs in. Read from the tracked branch only.",
    ),
  })
  .describe("One root module, run by one engine in each of its environments.");
export type StackConfig = z.infer<typeof StackConfig>;

const MAX_EXPRESSION_LENGTH = MAX_POLICY_EXPRESSION_LENGTH;
const expression = z
  .string()
  .trim()
  .min(1, "the expression must not be empty")
  .max(MAX_EXPRESSION_LENGTH, `the expression has at most ${MAX_EXPRESSION_LENGTH} characters`)
  // Parsed here, so that a broken rule fails the config with its line instead of denying every
  // plan later. Only what is wrong whatever the plan is caught: the plan's fields are unknown yet.
  .superRefine((value, ctx) => {
    // The checks above already said what is wrong with these.
    if (value.length === 0 || value.length > MAX_EXPRESSION_LENGTH) return;
    const parsed = parsePolicyExpression(value);
    if (parsed.ok) return;
    for (const problem of parsed.problems) {
      ctx.addIssue({ code: "custom", message: problem.message });
    }
  });

export const PolicyConfig = z
  .strictObject({
    name: name("policy").describe("Unique name of the policy, shown with its verdict."),
    deny: expression
      .optional()
      .describe(
        "A CEL expression over `plan` (the engine's JSON plan), `scan` (the pre-plan scan's findings: kind external-data-source, local-exec, provisioner, provider, remote-module or unparsable; file, name, detail), `component`, `environment` and `run`; true denies the plan. A rule that does not read `plan` is also evaluated before the engine starts, and its denial stops the plan there.",
      ),
    warn: expression
      .optional()
      .describe(
        "A CEL expression over `plan`, `scan`, `component`, `environment` and `run`, as deny; true shows a warning and stops autodeploy.",
      ),
    message: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe("What to tell the reviewer when the policy fires; the policy's name when unset."),
  })
  .superRefine((policy, ctx) => {
    if ((policy.deny === undefined) === (policy.warn === undefined)) {
      ctx.addIssue({
        code: "custom",
        message:
          policy.deny === undefined
            ? "a policy needs one of deny or warn"
            : "a policy has either deny or warn, not both: make it two policies",
      });
    }
  })
  // The JSON Schema form of the refinement above, which toJSONSchema cannot see.
  .meta({
    description:
      "A check on every plan: exactly one of deny (blocks the apply) or warn (needs a human to confirm).",
    oneOf: [{ required: ["deny"] }, { required: ["warn"] }],
  });
export type PolicyConfig = z.infer<typeof PolicyConfig>;

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
    environments: z
      .record(name("environment"), EnvironmentConfig)
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
