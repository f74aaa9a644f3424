import { celType, isCelError, plan as planEvaluation, type CelResult } from "@bufbuild/cel";
import type { PolicyConfig } from "../config/repo-config.js";
import type { PlanInput } from "../domain/plan-input.js";
import { collectSensitiveValues } from "../domain/sensitive-values.js";
import { createMasker, type Masker } from "../lib/redact.js";
import { meterComprehensions } from "./meter-comprehensions.js";
import { parsePolicyExpression } from "./parse-policy-expression.js";
import { policyCelEnv, type PolicyVariable } from "./policy-cel-env.js";
import { runWithTimeout } from "./run-with-timeout.js";
import type { RunKind } from "../domain/run-kind.js";

/*
 * Policies (docs/design.md "Repo config": `policies`): CEL rules from the tracked branch's bosun.yml,
 * evaluated on every plan. A deny that holds blocks the apply; a warn that holds needs a human to
 * confirm, and either stops autodeploy (invariant 6). A rule that cannot give an answer denies:
 * a broken rule must never wave a plan through.
 */

/** docs/design.md "Nouns", Run. */

/** One construct the pre-plan HCL scan found (`HclFinding` in src/domain/hcl-finding.ts). */
export interface PolicyScanFinding {
  /**
   * `external-data-source`, `local-exec`, `provisioner`, `provider`, `remote-module`,
   * `unparsable`.
   */
  readonly kind: string;
  /** Repo-relative POSIX path. */
  readonly file: string;
  readonly name: string;
  readonly detail: string;
}

/**
 * What a policy sees, each field a CEL variable of the same name. Values are JSON: numbers are
 * CEL doubles (`size(...)` is an int; `1 == 1.0` holds).
 */
export interface PolicyInput {
  /**
   * The engine's JSON plan, `show -json` (`PlanJson` from src/runner/plan-json.ts, or the JSON it
   * was parsed from). `resource_changes`, `resource_drift` and `output_changes`, which the engine
   * leaves out when empty, are always present: `[]`, `[]` and `{}`.
   */
  readonly plan: PlanInput;
  /** What the HCL scan found before the plan (docs/design.md "Trust"). */
  readonly scan: readonly PolicyScanFinding[];
  readonly component: {
    readonly stack: string;
    readonly environment: string;
    /** The stack's dir, repo-relative. */
    readonly dir: string;
  };
  readonly environment: { readonly name: string; readonly production: boolean };
  readonly run: {
    readonly kind: RunKind;
    /** What started the run, as recorded on it (a comment command, a push, ...). */
    readonly trigger: string;
    /** The GitHub login the run is attributed to. */
    readonly author: string;
  };
}

export interface PolicyOutcome {
  /** The policy's `name` in bosun.yml. */
  readonly policy: string;
  readonly message: string;
}

/**
 * The policies' answer for one plan, in bosun.yml's order.
 *
 * `errors` are also in `denials`: a caller that reads only `denials` fails closed. `errors` tells
 * a renderer which denials are broken rules rather than rules that held (list each once).
 */
export interface PolicyVerdict {
  readonly denials: readonly PolicyOutcome[];
  readonly warnings: readonly PolicyOutcome[];
  readonly errors: readonly PolicyOutcome[];
}

/** How much work one rule may take; past either bound the rule is an error, hence a denial. */
export interface PolicyLimits {
  /**
   * Comprehension iterations (`exists`, `all`, `map`, `filter`, ... one step per element), counted
   * deterministically: the same plan and rule always take the same number.
   */
  readonly maxSteps: number;
  /** Wall-clock milliseconds: the backstop for work the step count does not see. */
  readonly timeoutMs: number;
}

/**
 * A million steps: a rule that walks each resource and its actions (`exists(rc, 'delete' in
 * rc.change.actions)`) takes a few per resource, so plans of a hundred thousand resources fit;
 * a pairwise rule (n² steps) is refused from about a thousand. @bufbuild/cel takes about 6 µs a
 * step, so a million is some seconds. The timeout sits several times above that, so that it fires
 * only for work the steps do not count, never in their place on a slow or busy machine.
 */
export const DEFAULT_POLICY_LIMITS: PolicyLimits = Object.freeze({
  maxSteps: 1_000_000,
  timeoutMs: 30_000,
});

/** An evaluation error's text is the library's; a few lines are plenty. */
const MAX_REASON_LENGTH = 500;

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

type RuleResult = { readonly holds: boolean } | { readonly error: string };

/**
 * Evaluates every policy's rule against one component's plan. Each rule must evaluate to a
 * boolean: true fires it (a denial for `deny`, a warning for `warn`, with the policy's `message`
 * or one naming it); anything else (a syntax error, a missing field, a non-boolean, too much
 * work) is an error, counted as a denial. Error messages never show values the plan marks
 * sensitive.
 */
export function evaluatePolicies(
  policies: readonly PolicyConfig[],
  input: PolicyInput,
  limits: PolicyLimits = DEFAULT_POLICY_LIMITS,
): PolicyVerdict {
  const denials: PolicyOutcome[] = [];
  const warnings: PolicyOutcome[] = [];
  const errors: PolicyOutcome[] = [];
  if (policies.length === 0) return { denials, warnings, errors };

  const bindings = toBindings(input);
  // A CEL error may quote a value it choked on (`Cannot convert hunter2 to a BigInt`).
  const masker = createMasker(collectSensitiveValues(input.plan));

  for (const policy of policies) {
    // The schema allows exactly one of the two; both, if given some other way, are both run.
    const rules = [
      ...(policy.deny === undefined ? [] : [{ level: "deny" as const, source: policy.deny }]),
      ...(policy.warn === undefined ? [] : [{ level: "warn" as const, source: policy.warn }]),
    ];
    if (rules.length === 0) {
      // The schema refuses this; a PolicyConfig built some other way still must not pass.
      const error = failure(policy.name, "it has neither deny nor warn", masker);
      errors.push(error);
      denials.push(error);
    }
    for (const { level, source } of rules) {
      const result = evaluateRule(source, bindings, limits);
      if ("error" in result) {
        const error = failure(policy.name, result.error, masker);
        errors.push(error);
        denials.push(error);
      } else if (result.holds && level === "deny") {
        denials.push({
          policy: policy.name,
          message: policy.message ?? `policy ${policy.name} denied this plan`,
        });
      } else if (result.holds) {
        warnings.push({
          policy: policy.name,
          message: policy.message ?? `policy ${policy.name} warned about this plan`,
        });
      }
    }
  }
  return { denials, warnings, errors };
}

function evaluateRule(
  source: string,
  bindings: Readonly<Record<PolicyVariable, Json>>,
  limits: PolicyLimits,
): RuleResult {
  // bosun.yml was checked when it was loaded, but the rule is parsed again here rather than
  // trusted: the length bound and the parse are what keep the work below bounded.
  const parsed = parsePolicyExpression(source);
  if (!parsed.ok) return { error: parsed.problems[0]?.message ?? "the expression is invalid" };

  const metered = meterComprehensions(parsed.expr, limits.maxSteps);
  let evaluate: (bindings: Readonly<Record<PolicyVariable, Json>>) => CelResult;
  try {
    // The planner refuses a few malformed trees by throwing ("invalid comprehension").
    evaluate = planEvaluation(policyCelEnv([metered.func]), metered.expr);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  const timed = runWithTimeout(() => evaluate(bindings), limits.timeoutMs);
  if (!timed.ok) return { error: `it took longer than ${limits.timeoutMs} ms` };
  const value = timed.value;
  if (isCelError(value)) {
    if (metered.exhausted()) {
      return {
        error: `it took more than ${limits.maxSteps} steps (elements visited by exists, all, map, filter and the like); nested comprehensions over a large plan multiply`,
      };
    }
    // @bufbuild/cel 0.6 builds the result of map and filter as one nested list per element and
    // walks it recursively, so iterating such a result of a few thousand elements overflows.
    if (value.cause instanceof RangeError) {
      return {
        error:
          "it ran out of stack: the expression nests too deeply, or iterates over the result of map or filter on more than a few thousand elements; test the plan's lists directly (plan.resource_changes.exists(rc, ...))",
      };
    }
    return { error: value.message };
  }
  if (typeof value !== "boolean") {
    // The type, never the value: the value may be a secret from the plan.
    return { error: `it evaluated to a value of type ${celType(value).name}, not a bool` };
  }
  return { holds: value };
}

function failure(policy: string, reason: string, masker: Masker): PolicyOutcome {
  const masked = masker.mask(reason);
  const short =
    masked.length > MAX_REASON_LENGTH ? `${masked.slice(0, MAX_REASON_LENGTH)}…` : masked;
  return { policy, message: `policy ${policy} could not be evaluated: ${short}` };
}

function toBindings(input: PolicyInput): Readonly<Record<PolicyVariable, Json>> {
  const plan = toJsonObject(input.plan);
  return {
    plan: {
      ...plan,
      resource_changes: plan["resource_changes"] ?? [],
      resource_drift: plan["resource_drift"] ?? [],
      output_changes: plan["output_changes"] ?? {},
    },
    scan: toJson(input.scan),
    component: toJson(input.component),
    environment: toJson(input.environment),
    run: toJson(input.run),
  };
}

function toJsonObject(value: object): { readonly [key: string]: Json } {
  const copy: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) {
    // JSON has no undefined, and @bufbuild/cel refuses it: an absent optional field is absent.
    if (item !== undefined) copy[key] = toJson(item);
  }
  return copy;
}

/**
 * A plain JSON copy, the shape @bufbuild/cel reads as CEL values: a zod-parsed plan may carry
 * `undefined` fields, and class instances would not read as maps.
 */
function toJson(value: unknown): Json {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return value;
  if (Array.isArray(value)) return value.map((item: unknown) => toJson(item ?? null));
  if (typeof value === "object") return toJsonObject(value);
  return null;
}
