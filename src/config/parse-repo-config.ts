import { LineCounter, parseDocument } from "yaml";
import { crossCheck, type PathSegment } from "./cross-check-config.js";
import {
  failWith,
  formatPath,
  locate,
  parseYamlConfig,
  type ConfigProblem,
} from "./parse-yaml-config.js";
import { RepoConfig } from "./repo-config.js";

export type { ConfigProblem } from "./parse-yaml-config.js";

/**
 * The parser that turns a `bosun.yml`'s text into a validated {@link RepoConfig} or every problem
 * with its line (docs/design.md "Repo config: bosun.yml").
 */

export type RepoConfigParse =
  { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

/** A bosun.yml is a page of settings; anything near this size is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/**
 * Parses and validates the text of a `bosun.yml`. Every problem is returned, sorted by line:
 * YAML syntax, then (once the YAML is sound) the schema and the checks across fields — stack
 * names unique, environments declared, dependencies that exist, cover the downstream's
 * environments and form no cycle. `fileName` is used in messages about the file as a whole.
 */
export function parseRepoConfig(text: string, fileName = "bosun.yml"): RepoConfigParse {
  const parsed = parseYamlConfig(text, {
    schema: RepoConfig,
    fileName,
    maxBytes: MAX_CONFIG_BYTES,
    emptyMessage: `${fileName} is empty; it needs at least version: 1`,
    crossCheck,
  });
  return parsed.ok ? { ok: true, config: parsed.value } : parsed;
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
  const result = failWith(problems);
  return result.ok ? [] : result.problems;
}
