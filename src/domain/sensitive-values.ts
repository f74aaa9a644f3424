import type { PlanInput, SensitiveMask } from "./plan-input.js";

/** What Terraform and OpenTofu print in place of a sensitive value; we print the same. */
export const SENSITIVE_PLACEHOLDER = "(sensitive value)";

/** True when any part of the value the mask describes is sensitive. */
export function containsSensitive(mask: SensitiveMask | undefined): boolean {
  if (mask === undefined || mask === false) return false;
  if (mask === true) return true;
  if (isMaskArray(mask)) return mask.some(containsSensitive);
  return Object.values(mask).some(containsSensitive);
}

/**
 * A deep copy of `value` with every part the mask marks sensitive replaced by
 * {@link SENSITIVE_PLACEHOLDER}. Never mutates its input.
 *
 * When the mask's shape does not match the value's (an object mask over a string, say) and the
 * mask marks anything sensitive, the whole value is masked: a wrong guess must hide too much,
 * never too little.
 */
export function maskSensitive(value: unknown, sensitiveMask: SensitiveMask | undefined): unknown {
  if (sensitiveMask === undefined || sensitiveMask === false) return copyJson(value);
  if (sensitiveMask === true) return SENSITIVE_PLACEHOLDER;
  if (isMaskArray(sensitiveMask)) {
    if (Array.isArray(value)) {
      return value.map((item: unknown, i) => maskSensitive(item, sensitiveMask[i]));
    }
    return containsSensitive(sensitiveMask) ? SENSITIVE_PLACEHOLDER : copyJson(value);
  }
  if (isJsonObject(value)) {
    const masked: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      masked[key] = maskSensitive(item, sensitiveMask[key]);
    }
    return masked;
  }
  return containsSensitive(sensitiveMask) ? SENSITIVE_PLACEHOLDER : copyJson(value);
}

/**
 * Every concrete value the plan marks sensitive, as strings, for masking logs: resource attributes
 * (planned changes and drift, before and after), sensitive outputs, and root variables the
 * configuration declares `sensitive`. The plan JSON carries these in plain text (only flagged),
 * so anything that prints engine output must scrub them.
 *
 * Strings are returned as they are and numbers in their JSON spelling. `null`, booleans and empty
 * strings are left out: masking every "true" in a log would wreck it and hide one bit. Object keys
 * are not collected either. The list has no duplicates and is sorted longest first (then
 * alphabetically), the order a masker should replace them in so that a secret that contains
 * another is not left half-masked.
 */
export function collectSensitiveValues(plan: PlanInput): string[] {
  const found = new Set<string>();
  for (const resource of [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])]) {
    const { change } = resource;
    collectMarked(change.before, change.before_sensitive, found);
    collectMarked(change.after, change.after_sensitive, found);
  }
  for (const output of Object.values(plan.output_changes ?? {})) {
    collectMarked(output.before, output.before_sensitive, found);
    collectMarked(output.after, output.after_sensitive, found);
  }
  const declared = plan.configuration?.root_module?.variables ?? {};
  for (const [name, variable] of Object.entries(plan.variables ?? {})) {
    if (declared[name]?.sensitive === true) collectAll(variable.value, found);
  }
  return [...found].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

function collectMarked(value: unknown, mask: SensitiveMask | undefined, found: Set<string>): void {
  if (mask === undefined || mask === false) return;
  if (mask === true) {
    collectAll(value, found);
    return;
  }
  if (isMaskArray(mask)) {
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => collectMarked(item, mask[i], found));
    } else if (containsSensitive(mask)) {
      collectAll(value, found);
    }
    return;
  }
  if (isJsonObject(value)) {
    for (const [key, itemMask] of Object.entries(mask)) {
      collectMarked(value[key], itemMask, found);
    }
  } else if (containsSensitive(mask)) {
    collectAll(value, found);
  }
}

function collectAll(value: unknown, found: Set<string>): void {
  if (typeof value === "string") {
    if (value !== "") found.add(value);
  } else if (typeof value === "number") {
    found.add(String(value));
  } else if (Array.isArray(value)) {
    for (const item of value as unknown[]) collectAll(item, found);
  } else if (isJsonObject(value)) {
    for (const item of Object.values(value)) collectAll(item, found);
  }
}

function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (isJsonObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = copyJson(item);
    return copy;
  }
  return value;
}

// Array.isArray does not narrow a readonly array out of a union, so this guard does it.
function isMaskArray(mask: SensitiveMask): mask is readonly SensitiveMask[] {
  return Array.isArray(mask);
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
