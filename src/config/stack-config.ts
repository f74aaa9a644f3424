import { z } from "zod";
import { parseEngineConstraint } from "../domain/engine-constraint.js";
import { ENGINE_KINDS } from "../domain/engine-kind.js";
import { CloudConfig } from "./cloud-config.js";
import { compileGlob } from "./compile-glob.js";
import { identifierSchema, nameSchema, uniqueList } from "./config-fields.js";
import { StepsConfig } from "./steps-config.js";

/**
 * Why a relative path is refused, or undefined when it is fine. `allowParent`: leading `..`
 * segments may climb out of the stack's dir (a var file shared by stacks); whether that stays
 * inside the repository is checked against `dir` (cross-check-stacks.ts).
 */
function pathProblem(value: string, allowRoot: boolean, allowParent = false): string | undefined {
  if (value === "") return "must not be empty";
  if (value.startsWith("/")) return "must be relative, without a leading /";
  if (value.includes("\\")) return "must use / as the separator";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) return "must not contain control characters";
  const climbs = allowParent ? (/^(\.\.\/)*/.exec(value)?.[0].length ?? 0) : 0;
  const segments = value.slice(climbs).split("/");
  if (segments.includes("..")) {
    return allowParent ? ".. segments may only lead the path" : "must not contain .. segments";
  }
  if (value === ".") return allowRoot ? undefined : "must name a file";
  if (segments.some((segment) => segment === "" || segment === ".")) {
    return "must be a normalized path: no empty or . segments and no trailing /";
  }
  return undefined;
}

const relativePath = (allowRoot: boolean, allowParent = false) =>
  z.string().superRefine((value, ctx) => {
    const problem = pathProblem(value, allowRoot, allowParent);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

const VAR_FILE_PLACEHOLDER = "${environment}";

/** A typo such as ${env} would otherwise reach the engine as a literal. */
function onlyEnvironmentPlaceholder(value: string, ctx: z.RefinementCtx): void {
  if (value.replaceAll(VAR_FILE_PLACEHOLDER, "").includes("${")) {
    ctx.addIssue({ code: "custom", message: `only ${VAR_FILE_PLACEHOLDER} is substituted` });
  }
}

const varFile = relativePath(false, true).superRefine(onlyEnvironmentPlaceholder);

/**
 * A `-backend-config=KEY=VALUE` value. Numbers and booleans are written as YAML has them
 * (`encrypt: true`); the engine reads every value as a string and converts it itself.
 */
const backendValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform(String)
  .pipe(
    z
      .string()
      // eslint-disable-next-line no-control-regex -- one command-line argument, one line
      .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters")
      .superRefine(onlyEnvironmentPlaceholder),
  );

/**
 * Workspace names OpenTofu and Terraform accept are one URL path segment; the stricter set here
 * is what both backends' key layouts (S3's `env:/NAME/`, GCS's `NAME.tfstate`) take unchanged.
 */
const workspaceName = z
  .string()
  .regex(
    /^([A-Za-z0-9_.-]|\$\{environment\})+$/,
    "workspace names are letters, digits, ., _ and -, with ${environment} substituted",
  );

export const sourceModes = ["stack", "full"] as const;

/** `engine: terragrunt`: Terragrunt with OpenTofu or Terraform underneath. */
const TERRAGRUNT = "terragrunt";

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

export const onRemoveActions = ["destroy", "orphan"] as const;
export const stateModes = ["managed", "own"] as const;

/**
 * What a plan reads: configuration in native and JSON syntax, variable files, the provider lock
 * file, and Terragrunt's configuration (a stack run through Terragrunt plans what it says).
 */
export const DEFAULT_WHEN_MODIFIED = [
  "**/*.tf",
  "**/*.tf.json",
  "**/*.tofu",
  "**/*.tofu.json",
  "**/*.tfvars",
  "**/*.tfvars.json",
  "**/.terraform.lock.hcl",
  "**/terragrunt.hcl",
];

export const DependencyConfig = z
  .strictObject({
    stack: nameSchema("stack").describe(
      "The upstream stack, applied before this one in each wave.",
    ),
    inputs: z
      .record(identifierSchema("variable name"), identifierSchema("output name"))
      .default({})
      .describe(
        "Input variable of this stack → output of the upstream stack in the same environment: `vpc_id: vpc_id` sets TF_VAR_vpc_id to the upstream's output vpc_id.",
      ),
  })
  .describe("An upstream stack whose outputs this stack reads.");
export type DependencyConfig = z.infer<typeof DependencyConfig>;

export const StackConfig = z
  .strictObject({
    name: nameSchema("stack").describe(
      "Unique name of the stack; with an environment it names a component (network@prod).",
    ),
    dir: relativePath(true).describe(
      "The root module's directory, relative to the repository root, / separated (. for the root itself).",
    ),
    engine: z
      .enum([...ENGINE_KINDS, TERRAGRUNT])
      .default("opentofu")
      .describe(
        "The engine that runs this stack: opentofu (tofu), terraform, or terragrunt: Terragrunt running the engine terragrunt.engine names, on the whole checkout.",
      ),
    terragrunt: z
      .strictObject({
        engine: z
          .enum(ENGINE_KINDS)
          .default("opentofu")
          .describe(
            "The engine Terragrunt runs (TERRAGRUNT_TFPATH): opentofu (the default) or terraform; engine_version pins it as for any stack.",
          ),
      })
      .optional()
      .describe("With engine: terragrunt, the engine underneath."),
    engine_version: z
      .string()
      .superRefine((value, ctx) => {
        const parsed = parseEngineConstraint(value);
        if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.problem });
      })
      .optional()
      .describe(
        'The engine versions this stack runs on, in Terraform\'s constraint syntax ("~> 1.11", ">= 1.9, < 1.12", "1.11.5"): the newest installed version that satisfies it is used. Unset: the configuration\'s own required_version, else the operator\'s default engine.',
      ),
    environments: uniqueList(nameSchema("environment"), "environment")
      .min(1, "a stack needs at least one environment")
      .describe(
        "The environments this stack is deployed to, each declared under the top-level environments.",
      ),
    var_files: z
      .array(varFile)
      .default([])
      .describe(
        "Variable files relative to dir, passed with -var-file in order. ${environment} is replaced by the environment's name. Leading ../ may name a file elsewhere in the repository (../shared.tfvars), never outside it.",
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
    backend_config: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "backend settings are identifiers"),
        backendValue,
      )
      .optional()
      .describe(
        'With state: own, settings passed to init as -backend-config=KEY=VALUE, ${environment} replaced by the environment\'s name: one state per environment (key: "app/${environment}.tfstate").',
      ),
    workspace: workspaceName
      .optional()
      .describe(
        "With state: own, the workspace selected (created when missing) before planning and applying, ${environment} replaced by the environment's name.",
      ),
    source: z
      .enum(sourceModes)
      .optional()
      .describe(
        "What of the checkout the engine sees. stack (the default): the stack's dir, its local modules, its var files, the files file() and templatefile() name literally, and what links among them point to. full: the whole repository.",
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
    steps: StepsConfig.optional().describe(
      "This stack's custom steps: a hook listed here (even as []) replaces the repository-wide steps of that hook. Read from the tracked branch only.",
    ),
  })
  .superRefine((stack, ctx) => {
    if (stack.engine !== TERRAGRUNT && stack.terragrunt !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["terragrunt"],
        message: "terragrunt settings need engine: terragrunt",
      });
    }
    if (stack.engine === TERRAGRUNT && stack.source === "stack") {
      ctx.addIssue({
        code: "custom",
        path: ["source"],
        message:
          "Terragrunt reads parent folders (include, find_in_parent_folders): engine: terragrunt runs on the whole checkout, source: full",
      });
    }
  })
  // Inside, a Terragrunt stack is its engine run through Terragrunt, on the whole checkout.
  .transform(({ engine, terragrunt, ...stack }) =>
    engine === TERRAGRUNT
      ? {
          ...stack,
          engine: terragrunt?.engine ?? "opentofu",
          terragrunt: true as const,
          source: "full" as const,
        }
      : { ...stack, engine, terragrunt: undefined },
  )
  .describe("One root module, run by one engine in each of its environments.");
export type StackConfig = z.infer<typeof StackConfig>;
