import type { PolicyConfig } from "../config/repo-config.js";
import {
  DEFAULT_POLICY_LIMITS,
  evaluatePolicies,
  type PolicyInput,
  type PolicyLimits,
  type PolicyVerdict,
} from "./evaluate-policies.js";
import { readsPlan } from "./reads-plan.js";

/**
 * The policies that can be decided before the engine runs (none of their rules reads `plan`),
 * evaluated against the pre-plan scan, the component and the run. A denial here stops the plan
 * before the pull request's code runs. Every policy is evaluated again after the plan, as before,
 * so warnings and plan-reading rules keep their place; these give the same answer then.
 */
export function evaluatePrePlanPolicies(
  policies: readonly PolicyConfig[],
  input: Omit<PolicyInput, "plan">,
  limits: PolicyLimits = DEFAULT_POLICY_LIMITS,
): PolicyVerdict {
  const decidable = policies.filter(
    (policy) => ![policy.deny, policy.warn].some((rule) => rule !== undefined && readsPlan(rule)),
  );
  // No rule here reads the plan; an empty one stands in for the variable it does not use.
  return evaluatePolicies(decidable, { ...input, plan: {} }, limits);
}
