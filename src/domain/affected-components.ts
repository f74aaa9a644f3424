import { renderForEnvironment } from "./component-spec.js";

/**
 * Which components a push or a pull request touches, and how (docs/design.md "Nouns": Change): the
 * builder from changed files to components, in Atlantis's terms. Pure: the caller reads the two
 * configurations, finds each stack's local modules and fetches the changed files.
 */

/**
 * True when a repo-relative POSIX path matches one glob pattern (never starting with `!`).
 * Passed in so the domain stays free of a glob library (config/glob-matcher.ts is the real one).
 */
export type GlobMatch = (glob: string, path: string) => boolean;

export const COMPONENT_CHANGE_KINDS = ["create", "update", "destroy", "orphan"] as const;
export type ComponentChangeKind = (typeof COMPONENT_CHANGE_KINDS)[number];

/** GitHub's `status` of a file in a compare or a pull request's file list. */
export const changedFileStatuses = [
  "added",
  "removed",
  "modified",
  "renamed",
  "copied",
  "changed",
  "unchanged",
] as const;
export type ChangedFileStatus = (typeof changedFileStatuses)[number];

export interface ChangedFile {
  /** Repo-relative POSIX path after the change. */
  readonly filename: string;
  /** Set for renames: the path before. */
  readonly previous_filename?: string | undefined;
  readonly status: ChangedFileStatus;
}

/** What this needs of one stack of `bosun.yml`; config/repo-config.ts's StackConfig fits it. */
export interface StackDefinition {
  readonly name: string;
  readonly dir: string;
  readonly engine: string;
  readonly environments: readonly string[];
  readonly var_files: readonly string[];
  readonly when_modified: readonly string[];
  readonly on_remove: "destroy" | "orphan";
  readonly state?: string | undefined;
  readonly depends_on: readonly {
    readonly stack: string;
    readonly inputs: Readonly<Record<string, string>>;
  }[];
}

/** What this needs of a whole `bosun.yml`; config/repo-config.ts's RepoConfig fits it. */
export interface ConfigDefinition {
  readonly environments: Readonly<
    Record<string, { readonly variables: Readonly<Record<string, unknown>> }>
  >;
  readonly stacks: readonly StackDefinition[];
}

export interface AffectedComponentsInput {
  /**
   * The configuration the change starts from: the pull request's base, or the tracked branch
   * before the push. Undefined when there was no bosun.yml there, so every stack is new.
   */
  base: ConfigDefinition | undefined;
  /** The configuration after the change (the pull request's head, the pushed commit). */
  head: ConfigDefinition;
  /**
   * Per stack of `head`: the repo-relative directories that make it up, its own `dir` and those
   * of the local modules it uses (runner/local-modules.ts `findStackPaths` on the head tree).
   * A stack missing here is watched in its `dir` only.
   */
  watchedPaths: ReadonlyMap<string, readonly string[]>;
  changedFiles: readonly ChangedFile[];
  match: GlobMatch;
}

export interface AffectedComponent {
  stack: string;
  change: ComponentChangeKind;
}

export interface AffectedEnvironment {
  environment: string;
  /** Sorted by stack name. */
  components: AffectedComponent[];
}

/**
 * The components the change touches, grouped by environment (environments sorted by name,
 * components by stack; environments with nothing affected are left out). Per component:
 *
 * - `create`: the stack is new in `head`, or it newly lists the environment.
 * - `destroy` / `orphan`: the stack is gone from `head` (its `on_remove` in `base` decides, there
 *   being no other), or it no longer lists the environment (its `on_remove` in `head` decides:
 *   the entry still exists, and the pull request that drops the environment may set it).
 * - `update`, when any of:
 *   - a changed file (renames count under both paths) lies in the stack's `dir` or in one of its
 *     local module directories and matches the stack's `when_modified` patterns, taken relative
 *     to that directory. The same patterns apply in module directories as in `dir`: they say
 *     which kinds of file matter, and "any file" would re-plan every user of a module when its
 *     README changes. Patterns are applied in order, a `!` pattern excluding, the last matching
 *     one deciding;
 *   - a changed file is one of the stack's `var_files` for this environment (whatever the
 *     patterns say). A file that is a var file of another of the stack's environments only does
 *     not count here: `env/dev.tfvars` re-plans dev, not prod;
 *   - what the stack runs changed in `bosun.yml`: `dir`, `engine`, `var_files`, `state`,
 *     `depends_on`, or the environment's `variables`. Settings that change when or whether it
 *     runs (`when_modified`, `autodeploy`, `on_remove`) do not by themselves.
 *
 * Downstream stacks of an updated stack are not added: a run defers them to the outputs of their
 * upstream (docs/design.md "Lifecycle"), which is the run's business, not the change's.
 */
export function affectedComponents(input: AffectedComponentsInput): AffectedEnvironment[] {
  const { base, head, match } = input;
  const changes = new Map<string, Map<string, ComponentChangeKind>>();
  const record = (environment: string, stack: string, change: ComponentChangeKind): void => {
    const components = changes.get(environment) ?? new Map<string, ComponentChangeKind>();
    components.set(stack, change);
    changes.set(environment, components);
  };

  const paths = changedPaths(input.changedFiles);
  const baseStacks = new Map((base?.stacks ?? []).map((stack) => [stack.name, stack]));
  const headStacks = new Map(head.stacks.map((stack) => [stack.name, stack]));

  for (const [name, removed] of baseStacks) {
    if (headStacks.has(name)) continue;
    for (const environment of removed.environments) record(environment, name, removed.on_remove);
  }

  for (const stack of headStacks.values()) {
    const before = baseStacks.get(stack.name);
    const dirs = new Set([stack.dir, ...(input.watchedPaths.get(stack.name) ?? [])]);
    const entryChanged = before !== undefined && !sameRun(before, stack);
    // The patterns do not depend on the environment: match each path once per stack.
    const watchedPaths = paths.filter((path) =>
      [...dirs].some((dir) => {
        const relative = relativeTo(dir, path);
        return relative !== undefined && watched(stack.when_modified, relative, match);
      }),
    );
    for (const environment of stack.environments) {
      if (before === undefined || !before.environments.includes(environment)) {
        record(environment, stack.name, "create");
      } else if (
        entryChanged ||
        !sameJson(variablesOf(base, environment), variablesOf(head, environment)) ||
        touchesStack(stack, environment, paths, watchedPaths)
      ) {
        record(environment, stack.name, "update");
      }
    }
    for (const environment of before?.environments ?? []) {
      if (!stack.environments.includes(environment)) {
        record(environment, stack.name, stack.on_remove);
      }
    }
  }

  return [...changes]
    .sort(([a], [b]) => compareText(a, b))
    .map(([environment, components]) => ({
      environment,
      components: [...components]
        .sort(([a], [b]) => compareText(a, b))
        .map(([stack, change]) => ({ stack, change })),
    }));
}

function changedPaths(files: readonly ChangedFile[]): string[] {
  const paths = new Set<string>();
  for (const file of files) {
    if (file.status === "unchanged") continue;
    paths.add(file.filename);
    if (file.previous_filename !== undefined) paths.add(file.previous_filename);
  }
  return [...paths];
}

/**
 * True when a changed path is one of the stack's var files for `environment`, or a path its
 * patterns watch that is not a var file of another of its environments only.
 */
function touchesStack(
  stack: StackDefinition,
  environment: string,
  paths: readonly string[],
  watchedPaths: readonly string[],
): boolean {
  const varFilesOf = (env: string) =>
    stack.var_files.map((file) => joinPath(stack.dir, renderForEnvironment(file, env)));
  const own = new Set(varFilesOf(environment));
  if (paths.some((path) => own.has(path))) return true;
  const others = new Set(
    stack.environments.filter((env) => env !== environment).flatMap(varFilesOf),
  );
  return watchedPaths.some((path) => !others.has(path));
}

/** The last pattern that matches decides; a `!` pattern un-watches. */
function watched(patterns: readonly string[], path: string, match: GlobMatch): boolean {
  let result = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    // Only a pattern that could flip the result needs matching.
    if (negated === result && match(negated ? pattern.slice(1) : pattern, path)) {
      result = !negated;
    }
  }
  return result;
}

/** `path` relative to `dir` when it lies inside ("." being the repository root). */
function relativeTo(dir: string, path: string): string | undefined {
  if (dir === ".") return path;
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : undefined;
}

/** `file` (whose only `..` segments lead it, stack-config.ts) from `dir`, as a changed path reads. */
function joinPath(dir: string, file: string): string {
  const segments = dir === "." ? [] : dir.split("/");
  const rest = file.split("/");
  while (rest[0] === ".." && segments.length > 0) {
    rest.shift();
    segments.pop();
  }
  return [...segments, ...rest].join("/");
}

/** The parts of a stack's entry that change what its plan does. */
function sameRun(before: StackDefinition, after: StackDefinition): boolean {
  const runOf = (stack: StackDefinition) => ({
    dir: stack.dir,
    engine: stack.engine,
    var_files: stack.var_files,
    state: stack.state ?? null,
    // The order of depends_on entries means nothing; the order of var_files does.
    depends_on: [...stack.depends_on]
      .sort((a, b) => compareText(a.stack, b.stack))
      .map((dependency) => ({ stack: dependency.stack, inputs: dependency.inputs })),
  });
  return sameJson(runOf(before), runOf(after));
}

function variablesOf(config: ConfigDefinition | undefined, environment: string): unknown {
  // Own keys only: "constructor" is a valid environment name.
  if (config === undefined || !Object.hasOwn(config.environments, environment)) return {};
  return config.environments[environment]?.variables ?? {};
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so that key order never reads as a change. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .sort(([a], [b]) => compareText(a, b))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** By code unit, not locale: the same order on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
