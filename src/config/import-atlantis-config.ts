import { Document, isMap, isScalar, type Node as YamlNode } from "yaml";
import { APPLY_REQUIREMENTS, type ApplyRequirement } from "../domain/evaluate-requirements.js";
import {
  AtlantisRepoConfig,
  type AtlantisProject,
  type AtlantisStep,
  type AtlantisWorkflow,
} from "./atlantis-repo-config.js";
import { compileGlob } from "./compile-glob.js";
import { MAX_CONFIG_BYTES } from "./parse-repo-config.js";
import { parseYamlConfig, type ConfigProblem } from "./parse-yaml-config.js";

/**
 * `bosun import-atlantis`: an Atlantis `atlantis.yaml` (version 3) turned into the `bosun.yml` that
 * does the same, as text with a YAML comment on every setting that could not be carried over and
 * why. Pure: the caller reads the file and prints the result.
 *
 * Atlantis's projects are (dir, workspace) pairs; Bosun's stacks are directories deployed to
 * environments. So the projects of one directory become one stack, and its workspaces (or, when
 * they share a workspace, the projects' names) become the stack's environments.
 */

export type AtlantisImport = { ok: true; text: string } | { ok: false; problems: ConfigProblem[] };

/** Where the custom-steps work is tracked: Atlantis's custom workflows become those steps. */
const CUSTOM_STEPS_ISSUE = "issue #21";

/** Atlantis's `when_modified` when a project sets none (raw/autoplan.go). */
const ATLANTIS_DEFAULT_WHEN_MODIFIED = [
  "**/*.tf*",
  "**/*.tofu",
  "**/*.tofu.json",
  "**/terragrunt.hcl",
  "**/.terraform.lock.hcl",
];

const DEFAULT_WORKSPACE = "default";
const NAME_LIMIT = 64;

/** Comments gathered while converting, attached to the document's nodes once it is built. */
interface StackComments {
  /** Above the stack's list item: project settings that have no key in the output. */
  before: string[];
  /** Above one of the stack's keys. */
  keys: Map<string, string[]>;
}

interface StackOut {
  name: string;
  dir: string;
  engine: "opentofu" | "terraform";
  engine_version?: string;
  environments: string[];
  /** Always `own`: an Atlantis project keeps its state in the backend its configuration declares. */
  state: "own";
  workspace?: string;
  when_modified?: string[];
  depends_on?: { stack: string }[];
}

/**
 * Converts the text of an `atlantis.yaml` into a `bosun.yml`, or returns every problem with its
 * line (the same reader as bosun.yml's own, with YAML merge keys on, since Atlantis's documentation
 * uses them).
 */
export function importAtlantisConfig(text: string, fileName = "atlantis.yaml"): AtlantisImport {
  const parsed = parseYamlConfig(text, {
    schema: AtlantisRepoConfig,
    fileName,
    maxBytes: MAX_CONFIG_BYTES,
    emptyMessage: `${fileName} is empty; it needs at least version: 3`,
    mergeKeys: true,
  });
  if (!parsed.ok) return parsed;
  return { ok: true, text: convert(parsed.value, fileName) };
}

function convert(atlantis: AtlantisRepoConfig, fileName: string): string {
  const header = [
    `Converted from ${fileName} by \`bosun import-atlantis\`. Read each comment: it names an`,
    "Atlantis setting that was not carried over, and why. The server-side repos.yaml of your",
    "Atlantis (apply requirements, allowed workflows) is not in atlantis.yaml: compare it too.",
    ...repositoryNotes(atlantis),
  ];

  const groups = groupByDir(atlantis.projects);
  const usedStackNames = new Set<string>();
  /** Project name → the stack it became, for depends_on. */
  const stackOfProject = new Map<string, string>();
  const stacks: StackOut[] = [];
  const comments: StackComments[] = [];
  const environments = new Set<string>();

  for (const [dir, projects] of groups) {
    const note: StackComments = { before: [], keys: new Map() };
    const named = projects.length === 1 ? projects[0]!.name : undefined;
    const stackName = unique(
      sanitize(named ?? (dir === "." ? "root" : dir.replaceAll("/", "-")), "stack"),
      usedStackNames,
    );
    if (projects.length === 1 && named !== undefined && named !== stackName) {
      note.before.push(
        `Atlantis project "${named}", renamed: stack names are lowercase letters, digits, - and _.`,
      );
    }

    const envNames = environmentNames(projects);
    for (const environment of envNames) environments.add(environment);
    for (const project of projects) {
      if (project.name !== undefined) stackOfProject.set(project.name, stackName);
    }
    if (projects.length > 1) {
      const described = projects
        .map((project, index) => `${project.name ?? project.workspace} → ${envNames[index]}`)
        .join(", ");
      note.before.push(
        `Atlantis projects of dir ${dir}, one per environment of this stack: ${described}.`,
      );
    }

    // engine_version right after engine, which it qualifies.
    const engine = engineOf(projects, note);
    const version = engineVersionOf(projects, note);
    const stack: StackOut = {
      name: stackName,
      dir,
      engine,
      ...(version === undefined ? {} : { engine_version: version }),
      environments: envNames,
      state: "own",
    };
    const workspace = workspaceOf(projects, envNames, note);
    if (workspace !== undefined) stack.workspace = workspace;
    const whenModified = whenModifiedOf(projects, note);
    if (whenModified !== undefined) stack.when_modified = whenModified;
    note.before.push(...projectNotes(projects, atlantis.workflows));
    stacks.push(stack);
    comments.push(note);
  }

  // Dependencies name projects, which are placed only once every group is.
  const upstreamsOf = new Map<string, string[]>();
  [...groups.values()].forEach((projects, index) => {
    const stack = stacks[index]!;
    const note = comments[index]!;
    const upstreams: string[] = [];
    upstreamsOf.set(stack.name, upstreams);
    for (const project of projects) {
      for (const dependency of project.depends_on) {
        const target = stackOfProject.get(dependency);
        const who = describeProject(project);
        if (target === undefined) {
          note.before.push(
            `depends_on: ${dependency} (of ${who}) not carried over: no project has that name.`,
          );
        } else if (target === stack.name) {
          note.before.push(
            `depends_on: ${dependency} (of ${who}) not carried over: it orders two environments of this stack; Bosun orders stacks, and promote_from on an environment lets /promote carry a change applied in one environment into the next.`,
          );
        } else if (!upstreams.includes(target)) {
          const upstream = stacks.find((candidate) => candidate.name === target)!;
          const missing = stack.environments.filter((env) => !upstream.environments.includes(env));
          if (missing.length > 0) {
            note.before.push(
              `depends_on: ${dependency} (of ${who}) not carried over: stack ${target} is not deployed to ${missing.join(", ")}, and a Bosun dependency holds in every environment of the stack.`,
            );
          } else if (reaches(upstreamsOf, target, stack.name)) {
            // Workspaces ordered both ways (a@dev before b@dev, b@prod before a@prod) are no
            // cycle in Atlantis, but stacks depend on each other in every environment at once.
            note.before.push(
              `depends_on: ${dependency} (of ${who}) not carried over: stack ${target} already depends on this one, and Bosun refuses a cycle.`,
            );
          } else {
            upstreams.push(target);
          }
        }
      }
    }
    if (upstreams.length > 0) {
      stack.depends_on = upstreams.map((upstream) => ({ stack: upstream }));
      note.keys.set("depends_on", [
        "Atlantis only orders applies; Bosun also passes outputs: add inputs (this stack's",
        "variable: the upstream's output) where this stack reads what its upstream made.",
      ]);
    }
  });

  const requirements = requirementsOf(atlantis.projects);
  const output: Record<string, unknown> = {
    version: 1,
    environments: Object.fromEntries([...environments].map((name) => [name, {}])),
  };
  if (requirements.list.length > 0) output.apply = { requirements: requirements.list };
  output.stacks = stacks;

  const doc = new Document(output);
  doc.commentBefore = commentText(header);
  if (requirements.note.length > 0) {
    commentOnKey(doc.getIn(["apply"], true), "requirements", requirements.note);
  }
  if (stacks.length === 0) {
    commentOnKey(doc.contents, "stacks", [
      "Atlantis lists no projects, so it discovers them; Bosun runs only the stacks listed here:",
      "add one per root module (name, dir, environments).",
    ]);
  }
  comments.forEach((note, index) => {
    const item = doc.getIn(["stacks", index], true) as YamlNode;
    if (note.before.length > 0) item.commentBefore = commentText(note.before);
    for (const [key, lines] of note.keys) commentOnKey(item, key, lines);
  });
  return doc.toString({ lineWidth: 0 });
}

/** Whether `to` is `from` or one of its upstreams, transitively. */
function reaches(upstreamsOf: ReadonlyMap<string, string[]>, from: string, to: string): boolean {
  const pending = [from];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name === to) return true;
    if (seen.has(name)) continue;
    seen.add(name);
    pending.push(...(upstreamsOf.get(name) ?? []));
  }
  return false;
}

/** Projects by their normalized directory, in the order the directories first appear. */
function groupByDir(projects: readonly AtlantisProject[]): Map<string, AtlantisProject[]> {
  const groups = new Map<string, AtlantisProject[]>();
  for (const project of projects) {
    const list = groups.get(project.dir) ?? [];
    list.push(project);
    groups.set(project.dir, list);
  }
  return groups;
}

/**
 * One environment per project of a directory: its workspace when the directory's workspaces are
 * distinct, else its name (several projects of one workspace differ by their workflows, the
 * var files and backend settings each passes, which is what an environment is in Bosun).
 */
function environmentNames(projects: readonly AtlantisProject[]): string[] {
  const workspaces = projects.map((project) => project.workspace);
  const byWorkspace = new Set(workspaces).size === workspaces.length;
  const used = new Set<string>();
  return projects.map((project) =>
    unique(
      sanitize(byWorkspace ? project.workspace : (project.name ?? project.workspace), "default"),
      used,
    ),
  );
}

function engineOf(projects: readonly AtlantisProject[], note: StackComments): StackOut["engine"] {
  const distributions = new Set(projects.map((p) => p.terraform_distribution ?? "terraform"));
  if (distributions.size === 1 && distributions.has("opentofu")) return "opentofu";
  note.keys.set("engine", [
    distributions.size === 1
      ? "Atlantis runs Terraform unless terraform_distribution says otherwise; engine: opentofu runs the same configuration with OpenTofu."
      : "The workspaces used both Terraform and OpenTofu; a Bosun stack runs one engine in every environment.",
  ]);
  return "terraform";
}

function engineVersionOf(
  projects: readonly AtlantisProject[],
  note: StackComments,
): string | undefined {
  // Atlantis accepts v1.5.7 as well as 1.5.7; a bare version is an exact constraint.
  const versions = [
    ...new Set(
      projects.flatMap((p) =>
        p.terraform_version === undefined ? [] : [p.terraform_version.replace(/^v(?=\d)/, "")],
      ),
    ),
  ];
  if (versions.length === 0) return undefined;
  const unpinned = projects.some((project) => project.terraform_version === undefined);
  if (versions.length > 1 || unpinned) {
    note.keys.set("engine_version", [
      `The workspaces pinned ${versions.join(", ")}${unpinned ? " and the default" : ""}; a Bosun stack runs one version in every environment: the first is kept.`,
    ]);
  }
  return versions[0];
}

/**
 * The stack's `workspace`, rendered per environment: `${environment}` when each environment is
 * named after its workspace, the one workspace when they share it, none when all use `default`.
 */
function workspaceOf(
  projects: readonly AtlantisProject[],
  environments: readonly string[],
  note: StackComments,
): string | undefined {
  const workspaces = projects.map((project) => project.workspace);
  if (workspaces.every((workspace) => workspace === DEFAULT_WORKSPACE)) return undefined;
  if (workspaces.every((workspace, index) => workspace === environments[index])) {
    return "${environment}";
  }
  if (new Set(workspaces).size === 1) return workspaces[0];
  note.before.push(
    `workspace not carried over: the environments use the workspaces ${workspaces.map((w, i) => `${environments[i]}: ${w}`).join(", ")}, which no single workspace: "…\${environment}…" names; rename them, then set it.`,
  );
  return undefined;
}

/**
 * The union of the projects' patterns: both Atlantis and Bosun read them relative to the project's
 * directory. None when no project set its own: Bosun's default then watches the configuration,
 * var files and lock file as Atlantis's does (not terragrunt.hcl, which Bosun does not run).
 */
function whenModifiedOf(
  projects: readonly AtlantisProject[],
  note: StackComments,
): string[] | undefined {
  if (projects.every((project) => project.autoplan?.when_modified === undefined)) return undefined;
  const lists = projects.map(
    (project) => project.autoplan?.when_modified ?? ATLANTIS_DEFAULT_WHEN_MODIFIED,
  );
  const patterns: string[] = [];
  const lines = new Set<string>();
  for (const raw of lists.flat()) {
    const negated = raw.startsWith("!");
    // Both `./x` and `/x` mean x in the project's directory to Atlantis (.dockerignore syntax).
    const pattern = (negated ? raw.slice(1) : raw).replace(/^(\.?\/)+/, "");
    const written = negated ? `!${pattern}` : pattern;
    if (patterns.includes(written)) continue;
    if (pattern.split("/").includes("..")) {
      lines.add(
        `"${raw}" not carried over: Bosun follows the local modules a stack uses, so a change under them plans it; a pattern cannot reach outside dir.`,
      );
      continue;
    }
    const compiled = compileGlob(pattern);
    if (!compiled.ok) {
      lines.add(`"${raw}" not carried over: ${compiled.problem}.`);
      continue;
    }
    patterns.push(written);
  }
  if (new Set(lists.map((list) => JSON.stringify(list))).size > 1) {
    lines.add(
      "The union of the workspaces' patterns: a change matching any of them plans every environment of the stack.",
    );
  }
  if (lines.size > 0) note.keys.set("when_modified", [...lines]);
  return patterns.length > 0 ? patterns : undefined;
}

/** The project settings that have no key in bosun.yml, one comment line each, said once. */
function projectNotes(
  projects: readonly AtlantisProject[],
  workflows: Record<string, AtlantisWorkflow>,
): string[] {
  const lines = new Set<string>();
  for (const project of projects) {
    const who = describeProject(project);
    if (project.autoplan?.enabled === false) {
      lines.add(
        "autoplan.enabled: false not carried over: Bosun plans every pull request that changes a stack; a plan changes nothing, and applying still waits for /apply.",
      );
    }
    if (project.workflow !== undefined) {
      const workflow = workflows[project.workflow];
      lines.add(
        `workflow: ${project.workflow} not carried over: Atlantis's custom workflows become Bosun's custom steps (steps:, ${CUSTOM_STEPS_ISSUE})${workflow === undefined ? "; no such workflow is defined" : ", see the workflow's steps at the top"}.`,
      );
    }
    if (project.branch !== undefined) {
      lines.add(
        `branch: ${project.branch} (${who}) not carried over: Bosun plans pull requests against any branch and deploys the tracked_branch.`,
      );
    }
    if (project.plan_requirements !== undefined && project.plan_requirements.length > 0) {
      lines.add(
        `plan_requirements (${who}) not carried over: Bosun has none; a pull request whose author cannot write waits for a writer's /plan, and forks are not planned.`,
      );
    }
    if (project.import_requirements !== undefined && project.import_requirements.length > 0) {
      lines.add(
        `import_requirements (${who}) not carried over: Bosun has no import command; import blocks in the configuration are planned and applied like any change.`,
      );
    }
    if (project.execution_order_group !== undefined) {
      lines.add(
        "execution_order_group not carried over: Bosun orders applies by depends_on, in waves, and plans everything in parallel.",
      );
    }
    if (project.repo_locks !== undefined || project.repo_locking !== undefined) {
      lines.add(
        "repo_locks not carried over: Bosun takes no lock to plan; one confirmed run per component at a time, and a stale plan is refused.",
      );
    }
    if (project.delete_source_branch_on_merge !== undefined) {
      lines.add(
        'delete_source_branch_on_merge not carried over: Bosun does not merge; GitHub\'s setting "Automatically delete head branches" does this.',
      );
    }
    if (project.policy_check !== undefined || project.custom_policy_check !== undefined) {
      lines.add(
        "policy_check not carried over: Bosun's policies (policies:, CEL over the plan) run on every plan.",
      );
    }
    if (project.silence_pr_comments !== undefined) {
      lines.add(
        "silence_pr_comments not carried over: Bosun keeps one pull request comment, edited in place.",
      );
    }
  }
  return [...lines];
}

/** The repository-wide settings, one comment line each, then the custom workflows' steps. */
function repositoryNotes(atlantis: AtlantisRepoConfig): string[] {
  const lines: string[] = [];
  const note = (key: string, present: boolean, why: string) => {
    if (present) lines.push(`${key} not carried over: ${why}`);
  };
  note(
    "automerge",
    atlantis.automerge !== undefined,
    "Bosun never merges; merging deploys the tracked branch's changes.",
  );
  note(
    "parallel_plan, parallel_apply",
    atlantis.parallel_plan !== undefined || atlantis.parallel_apply !== undefined,
    "Bosun always plans components in parallel, and applies them in dependency waves.",
  );
  note(
    "abort_on_execution_order_fail",
    atlantis.abort_on_execution_order_fail !== undefined,
    "in Bosun a failed wave blocks every component downstream of it.",
  );
  note(
    "delete_source_branch_on_merge",
    atlantis.delete_source_branch_on_merge !== undefined,
    'Bosun does not merge; GitHub\'s setting "Automatically delete head branches" does this.',
  );
  note(
    "allowed_regexp_prefixes",
    atlantis.allowed_regexp_prefixes !== undefined,
    "/plan and /apply name stacks and an environment (-e ENV), never a pattern.",
  );
  note(
    "autodiscover",
    atlantis.autodiscover !== undefined,
    "Bosun runs only the stacks listed in bosun.yml.",
  );
  note(
    "repo_locks",
    atlantis.repo_locks !== undefined,
    "Bosun takes no lock to plan; one confirmed run per component at a time, and a stale plan is refused.",
  );
  note(
    "emoji_reaction",
    atlantis.emoji_reaction !== undefined,
    "Bosun acknowledges every command with 👀.",
  );
  note(
    "silence_pr_comments",
    atlantis.silence_pr_comments !== undefined,
    "Bosun keeps one pull request comment, edited in place.",
  );
  note(
    "policies",
    atlantis.policies !== undefined,
    "Conftest policy sets become Bosun policies (policies:, CEL over the plan): rewrite them.",
  );
  for (const [name, workflow] of Object.entries(atlantis.workflows)) {
    lines.push(
      `workflow ${name} not carried over: write it as custom steps (steps:, ${CUSTOM_STEPS_ISSUE}); its stages were:`,
    );
    for (const stage of ["plan", "apply", "policy_check", "import", "state_rm"] as const) {
      const steps = workflow[stage]?.steps;
      if (steps !== undefined) lines.push(`  ${stage}: ${steps.map(describeStep).join("; ")}`);
    }
  }
  return lines;
}

/** A workflow step on one line: `init`, `run: make lint`, `plan {"extra_args":["-lock=false"]}`. */
function describeStep(step: AtlantisStep): string {
  if (typeof step === "string") return step;
  return Object.entries(step)
    .map(([verb, argument]) => {
      if (typeof argument === "string") return `${verb}: ${argument}`;
      if (verb === "run" && isRecord(argument) && typeof argument.command === "string") {
        return `run: ${argument.command}`;
      }
      return `${verb} ${JSON.stringify(argument)}`;
    })
    .join(", ")
    .replace(/\s*\n\s*/g, " ");
}

/**
 * Bosun's requirements are repository-wide: the union of the projects' (the strictest), with a
 * comment saying which project asked for what when they differ.
 */
function requirementsOf(projects: readonly AtlantisProject[]): {
  list: ApplyRequirement[];
  note: string[];
} {
  const sets = projects.map((project) => project.apply_requirements ?? []);
  const list = APPLY_REQUIREMENTS.filter((requirement) =>
    sets.some((set) => set.includes(requirement)),
  );
  const differ = new Set(sets.map((set) => [...new Set(set)].sort().join(","))).size > 1;
  if (!differ) return { list, note: [] };
  return {
    list,
    note: [
      "Atlantis's apply_requirements differed per project; Bosun's are repository-wide, so the",
      "strictest (every project's, together) hold for every stack:",
      ...projects.map(
        (project, index) =>
          `  ${describeProject(project)}: ${sets[index]!.length > 0 ? sets[index]!.join(", ") : "none"}`,
      ),
    ],
  };
}

function commentOnKey(node: unknown, key: string, lines: readonly string[]): void {
  if (!isMap(node)) return;
  const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (pair !== undefined && isScalar(pair.key)) pair.key.commentBefore = commentText(lines);
}

/** yaml writes `#` before each line of a comment; the space keeps it readable. */
function commentText(lines: readonly string[]): string {
  return lines.map((line) => ` ${line}`).join("\n");
}

/** A Bosun name (lowercase letters, digits, - and _, first a letter or digit) from any text. */
function sanitize(text: string, fallback: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, NAME_LIMIT);
  return name === "" ? fallback : name;
}

/** `name`, or `name-2`, `name-3`… when it is taken; records what it returns. */
function unique(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n += 1) candidate = `${name.slice(0, NAME_LIMIT - 4)}-${n}`;
  used.add(candidate);
  return candidate;
}

/** A project as a person finds it in atlantis.yaml: its name, else its dir and workspace. */
function describeProject(project: AtlantisProject): string {
  if (project.name !== undefined) return project.name;
  return project.workspace === DEFAULT_WORKSPACE
    ? project.dir
    : `${project.dir} in workspace ${project.workspace}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
