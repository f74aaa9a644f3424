import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node as YamlNode,
} from "yaml";
import { z } from "zod";
import { compileGlob } from "./compile-glob.js";
import {
  MAX_POLICY_EXPRESSION_LENGTH,
  parsePolicyExpression,
} from "../policy/parse-policy-expression.js";

/**
 * `bosun.yml`, the repository's own configuration (docs/design.md "Repo config: bosun.yml"): its zod
 * schema (the source of the committed JSON Schema), the parser that turns the file's text into a
 * validated {@link RepoConfig} or every problem with its line, and the split between what a pull
 * request may decide and what only the tracked branch may (docs/design.md "Trust").
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
const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
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
  })
  .describe("A deployment target. A stack is instantiated once per environment it lists.");
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

export const applyRequirements = ["approved", "mergeable", "undiverged"] as const;
export const ApplyRequirement = z
  .enum(applyRequirements)
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

export const engines = ["opentofu", "terraform"] as const;
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
      .enum(engines)
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

export interface ConfigProblem {
  /** Where in the document, as `stacks[1].environments[0]`; "" for the file as a whole. */
  path: string;
  /** 1-based; undefined when the problem has no place in the text (the file is too large). */
  line: number | undefined;
  column: number | undefined;
  message: string;
}

export type RepoConfigParse =
  { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

/** A bosun.yml is a page of settings; anything near this size is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Aliases make a small file expand exponentially ("billion laughs"); real configs need few. */
export const MAX_YAML_ALIASES = 100;
/**
 * A bosun.yml nests about five levels; every later step (yaml's visitor and toJS, zod) recurses
 * per level, so a file nested hundreds deep would exhaust the stack there instead of here.
 */
export const MAX_YAML_DEPTH = 64;

/** The offset of the first list or map nested deeper than `limit`, walked without recursion. */
function firstNodeDeeperThan(doc: Document, limit: number): number | undefined {
  const pending: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth + 1 > limit) return node.range?.[0];
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        pending.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else {
        pending.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

type PathSegment = string | number;

/**
 * Parses and validates the text of a `bosun.yml`. Every problem is returned, sorted by line:
 * YAML syntax, then (once the YAML is sound) the schema and the checks across fields — stack
 * names unique, environments declared, dependencies that exist, cover the downstream's
 * environments and form no cycle. `fileName` is used in messages about the file as a whole.
 */
export function parseRepoConfig(text: string, fileName = "bosun.yml"): RepoConfigParse {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_CONFIG_BYTES) {
    return failed([
      {
        path: "",
        line: undefined,
        column: undefined,
        message: `${fileName} is ${bytes} bytes; the limit is ${MAX_CONFIG_BYTES}`,
      },
    ]);
  }

  const lineCounter = new LineCounter();
  // The core schema whatever %YAML directive the file carries: YAML 1.1 would read `no` as false,
  // dates as timestamps and `<<` as a merge.
  const doc = parseDocument(text, {
    lineCounter,
    schema: "core",
    // Without this, core still honours explicit YAML 1.1 tags (!!binary, !!set, !!timestamp).
    resolveKnownTags: false,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { line: undefined, column: undefined };
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  // yaml reports running out of stack as it is ("Maximum call stack size exceeded"), and what
  // it says after that is its consequence.
  const exhausted = doc.errors.find((error) => error.code === "RESOURCE_EXHAUSTION");
  if (exhausted !== undefined) {
    return failed([
      {
        path: "",
        ...at(exhausted.pos[0]),
        message: `lists and maps are nested too deeply (the limit is ${MAX_YAML_DEPTH} levels)`,
      },
    ]);
  }
  const syntax: ConfigProblem[] = [...doc.errors, ...doc.warnings].map((error) => ({
    path: "",
    ...at(error.pos[0]),
    message: error.message,
  }));
  const tooDeep = firstNodeDeeperThan(doc, MAX_YAML_DEPTH);
  if (tooDeep !== undefined) {
    return failed([
      ...syntax,
      {
        path: "",
        ...at(tooDeep),
        message: `lists and maps are nested more than ${MAX_YAML_DEPTH} levels deep`,
      },
    ]);
  }
  visit(doc, {
    Pair(_, pair) {
      // JavaScript objects have string keys only; yaml would stringify a list key with a warning.
      if (pair.key !== null && !isScalar(pair.key)) {
        syntax.push({
          path: "",
          ...at((pair.key as YamlNode).range?.[0]),
          message: "keys must be plain scalars, not lists or maps",
        });
      } else if (isScalar(pair.key) && pair.key.value === "__proto__") {
        // zod drops this key without a word; refusing it keeps "nothing is silently ignored".
        syntax.push({
          path: "",
          ...at(pair.key.range?.[0]),
          message: "the key __proto__ is not allowed",
        });
      }
    },
  });
  if (syntax.length > 0) return failed(syntax);

  if (doc.contents === null) {
    return failed([
      {
        path: "",
        line: 1,
        column: 1,
        message: `${fileName} is empty; it needs at least version: 1`,
      },
    ]);
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    // yaml throws for too many aliases and for an alias to an anchor not yet defined.
    return failed([
      {
        path: "",
        ...at(firstAliasOffset(doc)),
        message: `${fileName}: ${error instanceof Error ? error.message : String(error)}`,
      },
    ]);
  }

  const issues: { path: readonly PathSegment[]; message: string }[] = [];
  const parsed = RepoConfig.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(...describeIssue(issue));
  }
  issues.push(...crossCheck(raw));

  if (issues.length === 0 && parsed.success) return { ok: true, config: parsed.data };

  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    const key = `${path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, ...at(locate(doc, issue.path)), message: issue.message });
  }
  return failed(problems);
}

/**
 * The dependency inputs that name a variable the downstream stack does not declare, a check that
 * needs the stacks' source: `declared` gives the variables a stack's `dir` declares (its `.tf`
 * files), or undefined when they could not be read (then its plan says what is wrong). `text` is
 * the bosun.yml `config` was parsed from, for the lines.
 */
export function undeclaredInputProblems(
  text: string,
  config: Pick<RepoConfig, "stacks">,
  declared: (dir: string) => readonly string[] | undefined,
): ConfigProblem[] {
  const issues: { path: PathSegment[]; message: string }[] = [];
  config.stacks.forEach((stack, index) => {
    const variables = declared(stack.dir);
    if (variables === undefined) return;
    stack.depends_on.forEach((dependency, depIndex) => {
      for (const input of Object.keys(dependency.inputs)) {
        if (variables.includes(input)) continue;
        issues.push({
          path: ["stacks", index, "depends_on", depIndex, "inputs", input],
          message: `input "${input}" is not a variable of stack "${stack.name}": ${stack.dir} declares ${variables.length === 0 ? "no variables" : variables.map((name) => `"${name}"`).join(", ")}`,
        });
      }
    });
  });
  if (issues.length === 0) return [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: "core", resolveKnownTags: false });
  const problems = issues.map((issue): ConfigProblem => {
    const offset = locate(doc, issue.path);
    const position = offset === undefined ? undefined : lineCounter.linePos(offset);
    return {
      path: formatPath(issue.path),
      line: position?.line,
      column: position?.col,
      message: issue.message,
    };
  });
  const result = failed(problems);
  return result.ok ? [] : result.problems;
}

function failed(problems: ConfigProblem[]): RepoConfigParse {
  const order = (line: number | undefined) => line ?? Number.MAX_SAFE_INTEGER;
  problems.sort((a, b) => order(a.line) - order(b.line) || order(a.column) - order(b.column));
  return { ok: false, problems };
}

function describeIssue(issue: z.core.$ZodIssue): { path: PathSegment[]; message: string }[] {
  const path = issue.path.map((segment) =>
    typeof segment === "number" ? segment : String(segment),
  );
  switch (issue.code) {
    case "unrecognized_keys":
      // One problem per key, each at its own line: a typo must not silently do nothing.
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown key "${key}"`,
      }));
    case "invalid_key":
      return [
        {
          path,
          message: issue.issues[0]?.message ?? `invalid key "${String(path.at(-1))}"`,
        },
      ];
    case "invalid_type":
    case "invalid_value":
      // Parsed with reportInput: an absent key arrives as undefined input.
      if (issue.input === undefined) return [{ path, message: "is required" }];
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** `stacks[1].environments[0]`, `environments.prod.variables["a.b"]`. */
function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (IDENTIFIER_PATTERN.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/**
 * The offset in the text that `path` points at: a map entry's key (the line a person looks for),
 * a list item's start, or, when the path goes further than the document (a missing key), the
 * deepest node it does reach.
 */
function locate(doc: Document, path: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as YamlNode | null)?.range?.[0];
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      offset = (pair.key as YamlNode).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item: unknown = node.items[segment];
      if (item === undefined || item === null) break;
      offset = (item as YamlNode).range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function firstAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      offset = alias.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/**
 * A forgiving view of the document for the checks across fields: whatever part has the expected
 * shape is kept, the rest is undefined (the schema reports it). So a bad field elsewhere does not
 * hide a dependency cycle, and all problems come in one round.
 */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const LenientConfig = lenient(
  z.object({
    environments: lenient(
      z.record(z.string(), lenient(z.object({ promote_from: lenient(z.string()) }))),
    ),
    stacks: lenient(
      z.array(
        lenient(
          z.object({
            name: lenient(z.string()),
            environments: lenient(z.array(lenient(z.string()))),
            depends_on: lenient(
              z.array(
                lenient(
                  z.object({
                    stack: lenient(z.string()),
                    inputs: lenient(z.record(z.string(), z.unknown())),
                  }),
                ),
              ),
            ),
          }),
        ),
      ),
    ),
    policies: lenient(z.array(lenient(z.object({ name: lenient(z.string()) })))),
  }),
);

function quoteList(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}

function crossCheck(raw: unknown): { path: PathSegment[]; message: string }[] {
  const view = LenientConfig.parse(raw);
  if (view === undefined) return [];
  const problems: { path: PathSegment[]; message: string }[] = [];
  const environments = Object.keys(view.environments ?? {});
  const declared = new Set(environments);
  const undeclared = (env: string) =>
    `environment "${env}" is not declared under environments (declared: ${quoteList(environments)})`;

  for (const [env, settings] of Object.entries(view.environments ?? {})) {
    const from = settings?.promote_from;
    if (from === undefined) continue;
    if (from === env) {
      problems.push({
        path: ["environments", env, "promote_from"],
        message: "an environment cannot promote from itself",
      });
    } else if (!declared.has(from)) {
      problems.push({ path: ["environments", env, "promote_from"], message: undeclared(from) });
    }
  }

  const stacks = view.stacks ?? [];
  /** The first declaration of each stack name: the one dependencies resolve to. */
  const byName = new Map<string, { index: number; environments: string[] }>();
  stacks.forEach((stack, index) => {
    if (stack?.name === undefined) return;
    const first = byName.get(stack.name);
    if (first !== undefined) {
      problems.push({
        path: ["stacks", index, "name"],
        message: `stack "${stack.name}" is already declared at stacks[${first.index}]`,
      });
      return;
    }
    const envs = (stack.environments ?? []).filter((env) => env !== undefined);
    byName.set(stack.name, { index, environments: envs });
  });

  stacks.forEach((stack, index) => {
    stack?.environments?.forEach((env, envIndex) => {
      if (env !== undefined && !declared.has(env)) {
        problems.push({
          path: ["stacks", index, "environments", envIndex],
          message: undeclared(env),
        });
      }
    });
  });

  const edges = new Map<string, { target: string; depIndex: number }[]>();
  stacks.forEach((stack, index) => {
    if (stack === undefined) return;
    const listed = new Map<string, number>();
    const fedInputs = new Map<string, { upstream: string; depIndex: number }>();
    const own = (stack.environments ?? []).filter((env) => env !== undefined);
    stack.depends_on?.forEach((dependency, depIndex) => {
      const upstream = dependency?.stack;
      if (upstream === undefined) return;
      const at: PathSegment[] = ["stacks", index, "depends_on", depIndex, "stack"];
      const again = listed.get(upstream);
      if (again !== undefined) {
        problems.push({
          path: at,
          message: `"${upstream}" is already listed at depends_on[${again}]`,
        });
        return;
      }
      listed.set(upstream, depIndex);

      for (const input of Object.keys(dependency?.inputs ?? {})) {
        const feeder = fedInputs.get(input);
        if (feeder === undefined) {
          fedInputs.set(input, { upstream, depIndex });
        } else {
          problems.push({
            path: ["stacks", index, "depends_on", depIndex, "inputs", input],
            message: `input "${input}" is already fed by "${feeder.upstream}" (depends_on[${feeder.depIndex}])`,
          });
        }
      }

      if (upstream === stack.name) {
        problems.push({ path: at, message: "a stack cannot depend on itself" });
        return;
      }
      const target = byName.get(upstream);
      if (target === undefined) {
        problems.push({
          path: at,
          message: `no stack is named "${upstream}" (stacks: ${quoteList([...byName.keys()])})`,
        });
        return;
      }
      const missing = own.filter((env) => !target.environments.includes(env));
      if (missing.length > 0) {
        problems.push({
          path: at,
          message: `upstream "${upstream}" does not run in ${missing.join(", ")}, where "${stack.name ?? `stacks[${index}]`}" does (${upstream} runs in: ${quoteList(target.environments)}); an upstream must run in every environment of its downstream`,
        });
      }
      // Duplicate stack declarations are reported above; only the first one takes part in the graph.
      if (stack.name !== undefined && byName.get(stack.name)?.index === index) {
        const out = edges.get(stack.name) ?? [];
        out.push({ target: upstream, depIndex });
        edges.set(stack.name, out);
      }
    });
  });

  problems.push(...findCycles(byName, edges));

  const policyNames = new Map<string, number>();
  view.policies?.forEach((policy, index) => {
    if (policy?.name === undefined) return;
    const first = policyNames.get(policy.name);
    if (first === undefined) {
      policyNames.set(policy.name, index);
    } else {
      problems.push({
        path: ["policies", index, "name"],
        message: `policy "${policy.name}" is already declared at policies[${first}]`,
      });
    }
  });

  return problems;
}

/**
 * One problem per cycle a depth-first walk meets (in declaration order), placed at the
 * dependency of the cycle's first-declared stack, named in the direction of `depends_on`:
 * `network → app → network` means network depends on app, which depends on network.
 */
function findCycles(
  stacks: ReadonlyMap<string, { index: number }>,
  edges: ReadonlyMap<string, readonly { target: string; depIndex: number }[]>,
): { path: PathSegment[]; message: string }[] {
  const problems: { path: PathSegment[]; message: string }[] = [];
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const reported = new Set<string>();
  const indexOf = (stack: string) => stacks.get(stack)?.index ?? Number.MAX_SAFE_INTEGER;

  const report = (target: string): void => {
    const cycle = trail.slice(trail.indexOf(target));
    const start = cycle.reduce(
      (best, item, i) => (indexOf(item) < indexOf(cycle[best] ?? "") ? i : best),
      0,
    );
    const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
    const key = rotated.join("\u0000");
    if (reported.has(key)) return;
    reported.add(key);
    const [first = target, second = first] = rotated;
    const depIndex = edges.get(first)?.find((edge) => edge.target === second)?.depIndex ?? 0;
    problems.push({
      path: ["stacks", indexOf(first), "depends_on", depIndex, "stack"],
      message: `dependency cycle: ${[...rotated, first].join(" → ")}`,
    });
  };

  // Iterative, with the trail as the call stack: a 1 MB file can chain thousands of stacks.
  for (const root of stacks.keys()) {
    if (state.has(root)) continue;
    const frames: { stack: string; next: number }[] = [{ stack: root, next: 0 }];
    state.set(root, "open");
    trail.push(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame === undefined) break;
      const edge = edges.get(frame.stack)?.[frame.next];
      if (edge === undefined) {
        frames.pop();
        trail.pop();
        state.set(frame.stack, "done");
        continue;
      }
      frame.next++;
      const seen = state.get(edge.target);
      if (seen === "open") {
        report(edge.target);
      } else if (seen === undefined) {
        state.set(edge.target, "open");
        trail.push(edge.target);
        frames.push({ stack: edge.target, next: 0 });
      }
    }
  }
  return problems;
}

/**
 * The settings every repository gets when its tracked branch has no bosun.yml (yet): the PR that
 * introduces Bosun, say.
 *
 * - `requirements: []`: no requirement beyond the one that always holds, that only users with
 *   write permission apply (docs/design.md "GitHub surface"), which is what a repository without
 *   rules has agreed to. Demanding `approved` here would lock out single-maintainer repositories
 *   before they could merge the file that relaxes it, and it is the file on the tracked branch,
 *   reviewed like any other change, that should raise the bar.
 * - `approve_on_review: false`, `allow_forks: false`: each would widen who can make Bosun act,
 *   so neither is granted before the tracked branch asks for it.
 * - no policies: there is nothing trusted to evaluate; a PR's own policies bind once merged.
 * - `autodeploy` off for every stack: autodeploy skips the approval gate.
 */
export const UNTRUSTED_DEFAULTS = {
  apply: { requirements: [], approvals: 1, approve_on_review: false, allow_forks: false },
  policies: [],
} as const satisfies Pick<RepoConfig, "apply" | "policies">;

/**
 * The configuration a pull request runs under (docs/design.md "Trust"): what to run comes from the PR
 * head, who may do what comes from the tracked branch.
 *
 * From the head: `version`, the stacks (their code and settings) and the environments with their
 * variables. From the tracked branch: `tracked_branch`, `apply` (requirements, approve_on_review,
 * allow_forks), `policies`, each stack's `autodeploy` (it skips the approval gate; off for a stack
 * the tracked branch does not have), and each environment's `production` and `promote_from` when
 * the tracked branch declares that environment (where a change may go and how carefully); an
 * environment the tracked branch lacks keeps the head's, there being nothing to defer to.
 *
 * `trackedConfig` is undefined only when the tracked branch has no bosun.yml; see
 * {@link UNTRUSTED_DEFAULTS}. A tracked bosun.yml that does not parse leaves the rules unknown:
 * the caller must refuse rather than pass undefined.
 */
export function splitTrust(
  headConfig: RepoConfig,
  trackedConfig: RepoConfig | undefined,
): RepoConfig {
  const trustedStacks = new Map(trackedConfig?.stacks.map((stack) => [stack.name, stack]));
  const environments: Record<string, EnvironmentConfig> = {};
  for (const [env, settings] of Object.entries(headConfig.environments)) {
    // Names such as "constructor" are valid: look up own keys only.
    const trusted =
      trackedConfig !== undefined && Object.hasOwn(trackedConfig.environments, env)
        ? trackedConfig.environments[env]
        : undefined;
    environments[env] =
      trusted === undefined
        ? settings
        : {
            ...settings,
            production: trusted.production,
            promote_from: trusted.promote_from,
          };
  }
  return {
    ...headConfig,
    tracked_branch: trackedConfig?.tracked_branch,
    environments,
    apply: trackedConfig?.apply ?? {
      ...UNTRUSTED_DEFAULTS.apply,
      requirements: [...UNTRUSTED_DEFAULTS.apply.requirements],
    },
    policies: trackedConfig?.policies ?? [...UNTRUSTED_DEFAULTS.policies],
    stacks: headConfig.stacks.map((stack) => ({
      ...stack,
      autodeploy: trustedStacks.get(stack.name)?.autodeploy ?? false,
    })),
  };
}
