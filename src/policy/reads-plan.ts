import { exprChildren } from "./expr-children.js";
import { parsePolicyExpression } from "./parse-policy-expression.js";

/**
 * Whether a policy expression reads the `plan` variable. One that does not (it looks only at
 * `scan`, `component`, `environment` or `run`) has its answer before the engine runs, so it is
 * evaluated then (docs/design.md "Trust": a policy that denies on the scan stops the plan before
 * the engine runs). An expression that does not parse counts as not reading it: its error is a
 * denial, and that too comes before the engine. A comprehension variable named `plan` counts as
 * reading it; such a rule is then only evaluated after the plan, as every rule is.
 */
export function readsPlan(source: string): boolean {
  const parsed = parsePolicyExpression(source);
  if (!parsed.ok) return false;
  // Iterative: the tree is as deep as the parser's own recursion allowed.
  const pending = [parsed.expr];
  for (let expr = pending.pop(); expr !== undefined; expr = pending.pop()) {
    if (expr.exprKind.case === "identExpr" && expr.exprKind.value.name === "plan") return true;
    pending.push(...exprChildren(expr));
  }
  return false;
}
