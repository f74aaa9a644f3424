import { celFunc, CelScalar, type CelFunc } from "@bufbuild/cel";
import { exprChildren, type CelExpr } from "./expr-children.js";

/**
 * Not an identifier, so no policy can call it, shadow it or even spell it: the parser never
 * produces a call to it; only {@link meterComprehensions} does.
 */
const STEP_FUNCTION = "@bosun_step";

/** A metered expression and the meter that goes with it, for one evaluation. */
export interface MeteredExpression {
  readonly expr: CelExpr;
  /** The step function the expression now calls: it goes into the evaluation's environment. */
  readonly func: CelFunc;
  /** True once the expression asked for more than its budget of steps. */
  exhausted(): boolean;
}

/**
 * Bounds the work of an expression by counting loop iterations, which @bufbuild/cel cannot do
 * itself (it has no cost limit, unlike cel-go's `CostLimit`): CEL has no recursion and no loops
 * but its comprehensions (`exists`, `all`, `map`, ...), so a policy is slow only by nesting them
 * (`plan.resource_changes.all(a, plan.resource_changes.all(b, ...))`, n² over a PR's plan) or by
 * heavy work per iteration.
 *
 * Every comprehension's loop condition, evaluated once per iteration, is wrapped in a call to a
 * step function; past `maxSteps` iterations in all, the step function fails, and so does every
 * comprehension after it, at its first iteration. The evaluation then ends quickly, with an error,
 * or with a boolean only where CEL's logic makes the failed part irrelevant (`error || true` is
 * true), which is sound. The count is deterministic: the same plan and policy always take the same
 * number of steps. Work inside one iteration (`in` over a long list, comparing large values) is
 * not counted; the caller's timeout bounds that.
 *
 * Rewrites `expr` in place: pass a tree parsed for this evaluation, used for nothing else.
 */
export function meterComprehensions(expr: CelExpr, maxSteps: number): MeteredExpression {
  let steps = 0;
  const func = celFunc(STEP_FUNCTION, [CelScalar.BOOL], CelScalar.BOOL, (condition) => {
    steps += 1;
    if (steps > maxSteps) {
      throw new Error(`the policy took more than ${maxSteps} comprehension steps`);
    }
    return condition;
  });

  const all: CelExpr[] = [];
  for (let pending = [expr], next = pending.pop(); next !== undefined; next = pending.pop()) {
    all.push(next);
    pending.push(...exprChildren(next));
  }
  // New nodes get ids of their own: the planner attributes errors by id.
  let nextId = all.reduce((max, node) => (node.id > max ? node.id : max), 0n) + 1n;
  for (const node of all) {
    if (node.exprKind.case !== "comprehensionExpr") continue;
    const comprehension = node.exprKind.value;
    const condition = comprehension.loopCondition;
    if (condition === undefined) continue;
    comprehension.loopCondition = {
      $typeName: "cel.expr.Expr",
      id: nextId++,
      exprKind: {
        case: "callExpr",
        value: { $typeName: "cel.expr.Expr.Call", function: STEP_FUNCTION, args: [condition] },
      },
    };
  }

  return { expr, func, exhausted: () => steps > maxSteps };
}
