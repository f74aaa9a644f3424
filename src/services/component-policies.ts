import {
  evaluatePolicies,
  type PolicyInput,
  type PolicyScanFinding,
  type PolicyVerdict,
} from "../policy/evaluate-policies.js";
import type { PlanJson } from "../runner/plan-json.js";
import type { RunComponentRecord } from "./run-port.js";

/** The tracked branch's policies against this plan, the pre-plan scan, the component and the run. */
export function evaluateComponentPolicies(
  record: RunComponentRecord,
  plan: PlanJson,
): PolicyVerdict {
  return evaluatePolicies(record.spec.policies ?? [], { plan, ...policyContext(record) });
}

/** What policies see besides the plan. */
export function policyContext(record: RunComponentRecord): Omit<PolicyInput, "plan"> {
  return {
    scan: record.scanFindings as PolicyScanFinding[],
    component: {
      stack: record.spec.stack,
      environment: record.spec.environment,
      dir: record.spec.dir,
    },
    environment: { name: record.spec.environment, production: record.spec.production ?? false },
    run: { kind: record.runKind, trigger: record.trigger, author: record.triggeredBy },
  };
}
