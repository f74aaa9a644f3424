import { parse } from "@bufbuild/cel";
import { z } from "zod";
import { exprChildren, type CelExpr } from "./expr-children.js";
import { POLICY_VARIABLES, policyCelEnv } from "./policy-cel-env.js";

/**
 * The longest policy expression Bosun parses. The parser is a PEG parser whose work grows with the
 * input, and a policy is one rule: a page of CEL is a mistake. bosun.yml's schema uses the same
 * limit.
 */
export const MAX_POLICY_EXPRESSION_LENGTH = 4096;

/** What is wrong with a policy expression, placed within the expression (1-based). */
export interface PolicyExpressionProblem {
  readonly line: number;
  readonly column: number;
  /** Names the place as well, e.g. `CEL syntax error at column 8 (near "=="): ...`. */
  readonly message: string;
}

export type PolicyExpressionParse =
  | { readonly ok: true; readonly expr: CelExpr }
  | { readonly ok: false; readonly problems: readonly PolicyExpressionProblem[] };

/**
 * The parser's `ParseError` is not exported, so it is recognized by its shape: `rawMessage` is
 * the message without the `<input>:1:8:` prefix that would point into a file the user never saw.
 */
const CelParseError = z.object({
  rawMessage: z.string(),
  location: z.object({
    start: z.object({ offset: z.number().int().nonnegative() }),
  }),
});

/**
 * Identifiers that resolve without being bound: CEL's type names (`type(x) == string`) and the
 * root of the protobuf well-known type names (`google.protobuf.Timestamp`).
 */
const BUILT_IN_IDENTIFIERS: ReadonlySet<string> = new Set([
  "bool",
  "bytes",
  "double",
  "int",
  "list",
  "map",
  "null_type",
  "string",
  "type",
  "uint",
  "google",
]);

/** The parser leaves a macro call with the wrong arguments as a plain call, unknown at runtime. */
const MACRO_HINTS: Readonly<Record<string, string>> = {
  has: "has() takes a field selection, as in has(plan.resource_drift)",
  ...Object.fromEntries(
    ["all", "exists", "exists_one", "map", "filter"].map((macro) => [
      macro,
      `${macro}() is called on a list or map with a variable name and an expression, as in plan.resource_changes.${macro}(rc, rc.mode == 'managed')`,
    ]),
  ),
};

/** Operators are calls too (`_&&_`, `@in`, `!_`); only names a person writes are checked. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const SNIPPET_LENGTH = 20;

/**
 * Parses a policy's `deny` or `warn` expression and checks what a parse alone lets through but
 * can only be a mistake, whatever the plan: names that are not variables (`plna.resource_changes`,
 * a comprehension's variable used outside it) and functions CEL does not have, including macros
 * called the wrong way (`exists(rc, ...)` without a list), which evaluation would report only
 * when it reaches them. It cannot know the plan's fields or the values' types: those fail at
 * evaluation, as errors.
 */
export function parsePolicyExpression(source: string): PolicyExpressionParse {
  if (source.length > MAX_POLICY_EXPRESSION_LENGTH) {
    return failed([
      {
        line: 1,
        column: 1,
        message: `the expression has ${source.length} characters; the limit is ${MAX_POLICY_EXPRESSION_LENGTH}`,
      },
    ]);
  }

  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    return failed([describeParseError(source, error)]);
  }

  const offsetOf = (expr: CelExpr): number => parsed.sourceInfo?.positions[String(expr.id)] ?? 0;
  const funcs = policyCelEnv().funcs;
  const found: { offset: number; problem: PolicyExpressionProblem }[] = [];
  const reported = new Set<string>();
  const report = (expr: CelExpr, subject: string, detail: string | undefined) => {
    if (reported.has(subject)) return;
    reported.add(subject);
    const offset = offsetOf(expr);
    found.push({ offset, problem: at(source, offset, subject, detail) });
  };

  // Iterative: the tree is as deep as the parser's own recursion allowed.
  const pending: { expr: CelExpr; scope: ReadonlySet<string> }[] = [
    { expr: parsed.expr, scope: new Set(POLICY_VARIABLES) },
  ];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { expr, scope } = item;
    const kind = expr.exprKind;
    if (kind.case === "identExpr") {
      const name = kind.value.name;
      // A leading dot asks for the root namespace (`.int`); such names are never variables.
      if (!name.startsWith(".") && !scope.has(name) && !BUILT_IN_IDENTIFIERS.has(name)) {
        report(
          expr,
          `unknown variable ${name}`,
          `a policy reads ${POLICY_VARIABLES.join(", ")} and the variables of the comprehensions around it`,
        );
      }
    } else if (kind.case === "callExpr") {
      const name = kind.value.function;
      const qualifier = kind.value.target && qualifiedName(kind.value.target);
      const known =
        !FUNCTION_NAME.test(name) ||
        funcs.find(name) !== undefined ||
        (qualifier !== undefined && funcs.find(`${qualifier}.${name}`) !== undefined);
      if (!known) {
        report(expr, `unknown function ${name}`, MACRO_HINTS[name]);
        // A misused macro's arguments were meant as its variable and body: reporting `rc` as an
        // unknown variable too would only repeat the problem.
        if (MACRO_HINTS[name] !== undefined) {
          if (kind.value.target !== undefined) pending.push({ expr: kind.value.target, scope });
          continue;
        }
      }
    }

    if (kind.case === "comprehensionExpr") {
      const { iterRange, accuInit, loopCondition, loopStep, result } = kind.value;
      const inLoop = new Set([...scope, kind.value.accuVar, kind.value.iterVar]);
      if (kind.value.iterVar2 !== "") inLoop.add(kind.value.iterVar2);
      const inResult = new Set([...scope, kind.value.accuVar]);
      for (const [child, childScope] of [
        [result, inResult],
        [loopStep, inLoop],
        [loopCondition, inLoop],
        [accuInit, scope],
        [iterRange, scope],
      ] as const) {
        if (child !== undefined) pending.push({ expr: child, scope: childScope });
      }
    } else {
      for (const child of exprChildren(expr).reverse()) pending.push({ expr: child, scope });
    }
  }

  if (found.length === 0) return { ok: true, expr: parsed.expr };
  return failed(found.sort((a, b) => a.offset - b.offset).map(({ problem }) => problem));
}

function failed(problems: PolicyExpressionProblem[]): PolicyExpressionParse {
  return { ok: false, problems };
}

function describeParseError(source: string, error: unknown): PolicyExpressionProblem {
  const syntax = CelParseError.safeParse(error);
  if (syntax.success) {
    return at(
      source,
      syntax.data.location.start.offset,
      "CEL syntax error",
      syntax.data.rawMessage,
    );
  }
  // The parser recurses once per nesting level; ((((...)))) a few hundred deep exhausts the stack.
  if (error instanceof RangeError) {
    return { line: 1, column: 1, message: "the expression is nested too deeply to parse" };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return { line: 1, column: 1, message: `the CEL parser failed: ${reason}` };
}

/**
 * The problem placed within the expression, with the text there: the YAML line alone does not
 * say where in a long expression, and the text survives any doubt about how columns are counted.
 * `CEL syntax error at column 8 (near "=="): found = but expecting end of input`.
 */
function at(
  source: string,
  offset: number,
  subject: string,
  detail: string | undefined,
): PolicyExpressionProblem {
  const before = source.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  const rest = source.slice(offset).split("\n")[0] ?? "";
  const snippet = rest.length > SNIPPET_LENGTH ? `${rest.slice(0, SNIPPET_LENGTH)}…` : rest;
  const place = line === 1 ? `column ${column}` : `line ${line}, column ${column}`;
  const near = snippet === "" ? "at the end" : `near ${JSON.stringify(snippet)}`;
  const placed = `${subject} at ${place} (${near})`;
  return { line, column, message: detail === undefined ? placed : `${placed}: ${detail}` };
}

/** `a.b.c` for a chain of selections on an identifier, as the planner resolves namespaces. */
function qualifiedName(expr: CelExpr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === "identExpr") return kind.value.name;
  if (kind.case === "selectExpr" && !kind.value.testOnly && kind.value.operand !== undefined) {
    const parent = qualifiedName(kind.value.operand);
    return parent === undefined ? undefined : `${parent}.${kind.value.field}`;
  }
  return undefined;
}
