import path from "node:path";
import { z } from "zod";
import { APPLY_REQUIREMENTS } from "../domain/evaluate-requirements.js";

/**
 * Atlantis's repository config, `atlantis.yaml` version 3, as `bosun import-atlantis` reads it
 * (https://www.runatlantis.io/docs/repo-level-atlantis-yaml.html). Every key Atlantis accepts is
 * accepted, and unknown keys are refused as Atlantis refuses them (it reads the file strictly);
 * only the fields the importer carries over or comments on are typed further than that.
 */

/** Atlantis's three requirements are Bosun's three, with the same names. */
const Requirements = z.array(z.enum(APPLY_REQUIREMENTS));

const RepoLocks = z.strictObject({ mode: z.enum(["disabled", "on_plan", "on_apply"]) });

/** A workflow step: a built-in (`init`, `plan`) bare or with arguments, `run`, `env`, `multienv`. */
const AtlantisStep = z.union([z.string(), z.record(z.string(), z.unknown())]);
export type AtlantisStep = z.infer<typeof AtlantisStep>;

const AtlantisStage = z.strictObject({ steps: z.array(AtlantisStep).default([]) });

export const AtlantisWorkflow = z.strictObject({
  plan: AtlantisStage.optional(),
  apply: AtlantisStage.optional(),
  policy_check: AtlantisStage.optional(),
  import: AtlantisStage.optional(),
  state_rm: AtlantisStage.optional(),
});
export type AtlantisWorkflow = z.infer<typeof AtlantisWorkflow>;

/**
 * A project's `dir`, normalized as Bosun writes it (`./infra/` is `infra`, the root is `.`).
 * Atlantis refuses `..` too; a glob (Atlantis expands it into a project per matching directory)
 * has no Bosun equivalent, since a stack is one directory.
 */
const ProjectDir = z
  .string()
  .min(1, "must not be empty")
  .superRefine((value, ctx) => {
    if (value.split("/").includes("..")) {
      ctx.addIssue({ code: "custom", message: "must not contain .. (Atlantis refuses it too)" });
    } else if (value.startsWith("/")) {
      ctx.addIssue({ code: "custom", message: "must be relative to the repository's root" });
    } else if (/[*?[{]/.test(value)) {
      ctx.addIssue({
        code: "custom",
        message:
          "a glob dir expands to a project per directory; a Bosun stack is one directory: list each directory as a project first",
      });
    }
  })
  .transform((value) => path.posix.normalize(value).replace(/(.)\/+$/, "$1"));

export const AtlantisProject = z.strictObject({
  name: z.string().min(1, "if set, must not be empty").optional(),
  branch: z.string().optional(),
  dir: ProjectDir,
  workspace: z.string().min(1, "if set, must not be empty").default("default"),
  workflow: z.string().optional(),
  terraform_distribution: z.enum(["terraform", "opentofu"]).optional(),
  terraform_version: z
    .string({
      // Go's yaml reads 1.10 into a string as written; here it is the number 1.1 before zod sees it.
      error: 'must be a string: quote a version such as "1.10"',
    })
    .optional(),
  autoplan: z
    .strictObject({
      when_modified: z.array(z.string()).optional(),
      enabled: z.boolean().optional(),
    })
    .optional(),
  plan_requirements: Requirements.optional(),
  apply_requirements: Requirements.optional(),
  import_requirements: Requirements.optional(),
  depends_on: z.array(z.string()).default([]),
  delete_source_branch_on_merge: z.boolean().optional(),
  repo_locking: z.boolean().optional(),
  repo_locks: RepoLocks.optional(),
  execution_order_group: z.number().int().optional(),
  policy_check: z.boolean().optional(),
  custom_policy_check: z.boolean().optional(),
  silence_pr_comments: z.array(z.string()).optional(),
});
export type AtlantisProject = z.infer<typeof AtlantisProject>;

/**
 * Atlantis's own rules (raw/repo_cfg.go): names are unique, and projects sharing a dir and a
 * workspace are told apart by their names.
 */
function checkProjectIdentity(projects: AtlantisProject[], ctx: z.RefinementCtx): void {
  const names = new Map<string, number>();
  const places = new Map<string, number>();
  projects.forEach((project, index) => {
    if (project.name !== undefined) {
      const first = names.get(project.name);
      if (first === undefined) names.set(project.name, index);
      else {
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `the name "${project.name}" is already projects[${first}]'s`,
        });
      }
    }
    const place = `${project.dir}\u0000${project.workspace}`;
    const first = places.get(place);
    if (first === undefined) places.set(place, index);
    else if (project.name === undefined || projects[first]!.name === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [index, "dir"],
        message: `projects[${first}] also runs dir ${project.dir} in workspace ${project.workspace}: give both a name`,
      });
    }
  });
}

export const AtlantisRepoConfig = z.strictObject({
  version: z.literal(3, {
    error:
      "must be 3: the importer reads version 3 (Atlantis's upgrading guide, runatlantis.io/docs/upgrading-atlantis-yaml, converts older files)",
  }),
  projects: z.array(AtlantisProject).default([]).superRefine(checkProjectIdentity),
  workflows: z.record(z.string(), AtlantisWorkflow).default({}),
  policies: z.record(z.string(), z.unknown()).optional(),
  autodiscover: z
    .strictObject({
      mode: z.enum(["auto", "enabled", "disabled"]).optional(),
      ignore_paths: z.array(z.string()).optional(),
    })
    .optional(),
  automerge: z.boolean().optional(),
  parallel_apply: z.boolean().optional(),
  parallel_plan: z.boolean().optional(),
  delete_source_branch_on_merge: z.boolean().optional(),
  emoji_reaction: z.string().optional(),
  allowed_regexp_prefixes: z.array(z.string()).optional(),
  abort_on_execution_order_fail: z.boolean().optional(),
  repo_locks: RepoLocks.optional(),
  silence_pr_comments: z.array(z.string()).optional(),
});
export type AtlantisRepoConfig = z.infer<typeof AtlantisRepoConfig>;
