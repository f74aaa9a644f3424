import { celEnv, type CelEnv, type CelFunc } from "@bufbuild/cel";

/**
 * The variables a policy expression reads (docs/design.md "Repo config": policies), bound by
 * `evaluatePolicies` and the only free names `parsePolicyExpression` accepts.
 */
export const POLICY_VARIABLES = ["plan", "scan", "component", "environment", "run"] as const;
export type PolicyVariable = (typeof POLICY_VARIABLES)[number];

/**
 * The CEL environment policies run in: CEL's standard functions and nothing else, so that the
 * check at config load (which functions exist) and the evaluation cannot disagree. `funcs` adds
 * Bosun's internal functions for one evaluation (the step meter), which no policy can name.
 */
export function policyCelEnv(funcs: readonly CelFunc[] = []): CelEnv {
  return celEnv({ funcs: [...funcs] });
}
