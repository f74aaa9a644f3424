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
import type { PathSegment } from "./cross-check-config.js";
import { IDENTIFIER_PATTERN } from "./repo-config.js";

/**
 * Settings documents people write in YAML or JSON (`bosun.yml`, a trigger's runtime config), read
 * with the same limits and every problem reported with its line.
 */

export interface ConfigProblem {
  /** Where in the document, as `stacks[1].environments[0]`; "" for the file as a whole. */
  path: string;
  /** 1-based; undefined when the problem has no place in the text (the file is too large). */
  line: number | undefined;
  column: number | undefined;
  message: string;
}

/** Aliases make a small file expand exponentially ("billion laughs"); real settings need few. */
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

/**
 * A YAML (or JSON: YAML's subset) settings document validated by a zod schema, or every problem
 * with its line: YAML syntax and limits first, then the schema and `crossCheck`'s findings.
 */
export function parseYamlConfig<T>(
  text: string,
  options: {
    schema: z.ZodType<T>;
    fileName: string;
    maxBytes: number;
    emptyMessage: string;
    /**
     * Reads `<<: *anchor` as a merge, as YAML 1.1 readers do (Go's yaml, and so Atlantis). Off for
     * Bosun's own files, where `<<` is a key like any other.
     */
    mergeKeys?: boolean;
    crossCheck?: (raw: unknown) => { path: readonly PathSegment[]; message: string }[];
  },
): { ok: true; value: T } | { ok: false; problems: ConfigProblem[] } {
  const { fileName } = options;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > options.maxBytes) {
    return failWith([
      {
        path: "",
        line: undefined,
        column: undefined,
        message: `${fileName} is ${bytes} bytes; the limit is ${options.maxBytes}`,
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
    merge: options.mergeKeys ?? false,
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
    return failWith([
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
    return failWith([
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
  if (syntax.length > 0) return failWith(syntax);

  if (doc.contents === null) {
    return failWith([
      {
        path: "",
        line: 1,
        column: 1,
        message: options.emptyMessage,
      },
    ]);
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    // yaml throws for too many aliases and for an alias to an anchor not yet defined.
    return failWith([
      {
        path: "",
        ...at(firstAliasOffset(doc)),
        message: `${fileName}: ${error instanceof Error ? error.message : String(error)}`,
      },
    ]);
  }

  const issues: { path: readonly PathSegment[]; message: string }[] = [];
  const parsed = options.schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(...describeIssue(issue));
  }
  issues.push(...(options.crossCheck?.(raw) ?? []));

  if (issues.length === 0 && parsed.success) return { ok: true, value: parsed.data };

  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    const key = `${path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, ...at(locate(doc, issue.path)), message: issue.message });
  }
  return failWith(problems);
}

export function failWith(problems: ConfigProblem[]): { ok: false; problems: ConfigProblem[] } {
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
export function formatPath(path: readonly PathSegment[]): string {
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
export function locate(doc: Document, path: readonly PathSegment[]): number | undefined {
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
