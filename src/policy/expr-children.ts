import type { parse } from "@bufbuild/cel";
import { assertNever } from "../lib/assert-never.js";

/**
 * A node of a parsed CEL expression (`cel.expr.Expr`). Named through `parse` so that Bosun does
 * not import @bufbuild/cel-spec, which is @bufbuild/cel's dependency, not ours.
 */
export type CelExpr = ReturnType<typeof parse>["expr"];

/**
 * The direct subexpressions of a node, in source order. Macros (`exists`, `map`, ...) are
 * comprehensions by the time the parser is done, so their range, condition, step and result are
 * among them.
 */
export function exprChildren(expr: CelExpr): CelExpr[] {
  const kind = expr.exprKind;
  switch (kind.case) {
    case undefined:
    case "constExpr":
    case "identExpr":
      return [];
    case "selectExpr":
      return present([kind.value.operand]);
    case "callExpr":
      return present([kind.value.target, ...kind.value.args]);
    case "listExpr":
      return kind.value.elements;
    case "structExpr":
      return kind.value.entries.flatMap((entry) =>
        present([entry.keyKind.case === "mapKey" ? entry.keyKind.value : undefined, entry.value]),
      );
    case "comprehensionExpr":
      return present([
        kind.value.iterRange,
        kind.value.accuInit,
        kind.value.loopCondition,
        kind.value.loopStep,
        kind.value.result,
      ]);
    default:
      return assertNever(kind, "CEL expression kind");
  }
}

function present(exprs: readonly (CelExpr | undefined)[]): CelExpr[] {
  return exprs.filter((expr) => expr !== undefined);
}
