import { z } from "zod";
import type { SensitiveMask as SensitiveMaskValue } from "../domain/plan-input.js";

/*
 * The JSON plan representation printed by `tofu show -json PLANFILE` / `terraform show -json
 * PLANFILE`: https://opentofu.org/docs/internals/json-format/ (Terraform's is the same format).
 * Only the fields Bosun reads are parsed, and those are validated; everything else is dropped.
 * Unknown keys and unknown action names are accepted because the format adds them in minor
 * versions (format_version 1.x promises backward compatibility), see
 * test/fixtures/plan-json/SOURCES.md.
 */

/**
 * `before_sensitive`, `after_sensitive` and `after_unknown`: `true`/`false`, or arrays and objects
 * of those that mirror the value's structure.
 */
export const AttributeMask: z.ZodType<SensitiveMaskValue> = z.lazy(() =>
  z.union([z.boolean(), z.array(AttributeMask), z.record(z.string(), AttributeMask)]),
);
export type AttributeMask = z.infer<typeof AttributeMask>;

/** Plan actions: no-op, create, read, update, delete, forget, or a pair for a replace. */
const Actions = z.array(z.string().min(1)).min(1);

export const PlanChange = z.object({
  actions: Actions,
  // Attribute values are not validated: they are the provider's business. Both keys are
  // `omitempty` in the engine's Go struct, so absence is accepted and reads as "no value".
  /** The object before the change; `null` for a create. */
  before: z.unknown().optional(),
  /** The object after the change; `null` for a delete. Unknown attributes are absent. */
  after: z.unknown().optional(),
  after_unknown: AttributeMask.optional(),
  before_sensitive: AttributeMask,
  after_sensitive: AttributeMask,
  /** Present when an `import {}` block imports the object in this plan. */
  importing: z
    .object({
      id: z.string().optional(),
      /** Terraform: the import ID is not known until apply. */
      unknown: z.boolean().optional(),
    })
    .optional(),
});
export type PlanChange = z.infer<typeof PlanChange>;

export const ResourceChange = z.object({
  /** Absolute instance address, e.g. `module.parent["2"].module.child.null_resource.item[1]`. */
  address: z.string().min(1),
  module_address: z.string().optional(),
  mode: z.enum(["managed", "data"]),
  type: z.string().min(1),
  name: z.string().min(1),
  /** `count` index or `for_each` key. */
  index: z.union([z.number(), z.string()]).optional(),
  /** Deposed object key: the entry is about an old object left by a create_before_destroy. */
  deposed: z.string().optional(),
  provider_name: z.string().min(1),
  change: PlanChange,
  action_reason: z.string().optional(),
  /** Set by `moved {}` blocks. */
  previous_address: z.string().optional(),
});
export type ResourceChange = z.infer<typeof ResourceChange>;

export const OutputChange = z.object({
  actions: Actions,
  before: z.unknown().optional(),
  /** Absent while the value is unknown until apply. */
  after: z.unknown().optional(),
  after_unknown: AttributeMask.optional(),
  before_sensitive: AttributeMask.optional(),
  after_sensitive: AttributeMask.optional(),
});
export type OutputChange = z.infer<typeof OutputChange>;

export const PlanJson = z.object({
  format_version: z.string().regex(/^\d+\.\d+$/, "expected a version like 1.2"),
  /** OpenTofu writes its own version under this key too. The equivalence-test fixtures drop it. */
  terraform_version: z.string().optional(),
  /**
   * Not read, but required: every plan has it, while `show -json` without a plan file prints the
   * *state* (`values`, no `planned_values`), which must not pass for an empty plan.
   */
  planned_values: z.record(z.string(), z.unknown()),
  variables: z.record(z.string(), z.object({ value: z.unknown().optional() })).optional(),
  // The engine leaves these three out when they are empty (`omitempty` in jsonplan).
  resource_changes: z.array(ResourceChange).default([]),
  resource_drift: z.array(ResourceChange).default([]),
  output_changes: z.record(z.string(), OutputChange).default({}),
  /** Only to learn which root variables are declared `sensitive`. */
  configuration: z
    .object({
      root_module: z
        .object({
          variables: z
            .record(z.string(), z.object({ sensitive: z.boolean().optional() }))
            .optional(),
        })
        .optional(),
    })
    .optional(),
  // Missing from the terraform-json `replace-tainted` fixture; the engine refuses to apply a
  // partial plan ("Cannot apply incomplete plan") whatever this says, so absent means false.
  errored: z.boolean().default(false),
  /** Terraform only. */
  applyable: z.boolean().optional(),
  /** Terraform only. */
  complete: z.boolean().optional(),
});
export type PlanJson = z.infer<typeof PlanJson>;

export const planJsonErrorCodes = [
  "not-json",
  "invalid-plan",
  "unsupported-format-version",
] as const;
export type PlanJsonErrorCode = (typeof planJsonErrorCodes)[number];

export interface PlanJsonIssue {
  /** Where in the document, e.g. `resource_changes[3].change.actions`; `(root)` for the whole. */
  readonly path: string;
  readonly message: string;
}

/**
 * The text was not a plan Bosun can read. Messages name paths and expectations, never values:
 * the plan holds sensitive values in plain text and errors end up in logs and check runs.
 */
export class PlanJsonError extends Error {
  override readonly name = "PlanJsonError";
  readonly code: PlanJsonErrorCode;
  readonly issues: readonly PlanJsonIssue[];

  constructor(
    code: PlanJsonErrorCode,
    message: string,
    options: { issues?: readonly PlanJsonIssue[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
  }
}

/** How many issues the message lists; the rest are in `issues`. */
const MAX_ISSUES_IN_MESSAGE = 10;

/** Parses and validates the stdout of `show -json PLANFILE`. Throws {@link PlanJsonError}. */
export function parsePlanJson(text: string): PlanJson {
  if (text.trim() === "") {
    throw new PlanJsonError("not-json", "reading the plan JSON: the input is empty");
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const reason = describeJsonSyntaxError(error);
    // The engine's SyntaxError quotes the input, which may hold secrets, so it is not the cause.
    throw new PlanJsonError("not-json", `reading the plan JSON: not valid JSON (${reason})`, {
      cause: new SyntaxError(reason),
    });
  }

  const formatVersion = isRecord(document) ? document["format_version"] : undefined;
  const major = typeof formatVersion === "string" ? /^(\d+)\./.exec(formatVersion)?.[1] : undefined;
  if (major !== undefined && major !== "1") {
    throw new PlanJsonError(
      "unsupported-format-version",
      `reading the plan JSON: format_version ${major}.x is not supported; Bosun reads 1.x`,
    );
  }

  const result = PlanJson.safeParse(document);
  if (!result.success) {
    const issues = result.error.issues.map((issue): PlanJsonIssue => ({
      path: formatPath(issue.path),
      message: issue.message,
    }));
    const listed = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((i) => `  - ${i.path}: ${i.message}`);
    if (issues.length > MAX_ISSUES_IN_MESSAGE) {
      listed.push(`  - and ${issues.length - MAX_ISSUES_IN_MESSAGE} more`);
    }
    const hint =
      isRecord(document) && "values" in document && !("planned_values" in document)
        ? " (this looks like state JSON: was `show -json` run without the plan file?)"
        : "";
    throw new PlanJsonError(
      "invalid-plan",
      `reading the plan JSON: not a valid plan${hint}\n${listed.join("\n")}`,
      { issues, cause: result.error },
    );
  }
  return result.data;
}

/** `resource_changes[3].change["odd key"]`, the way a reader would write it. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) {
      out += out === "" ? key : `.${key}`;
    } else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * Keeps V8's description of what went wrong and where ("Unterminated string in JSON at position
 * 33") and drops its quotes of the input (`Unexpected token 'p', "{"password"... is not valid`).
 */
function describeJsonSyntaxError(error: unknown): string {
  if (!(error instanceof SyntaxError)) return "unparseable";
  const beforeQuote = error.message.split('"')[0] ?? "";
  const description = beforeQuote.replace(/'[^']*'/g, "").replace(/[\s,]+$/, "");
  return description === "" ? "unparseable" : description;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
