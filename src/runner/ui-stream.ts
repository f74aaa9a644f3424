import { z } from "zod";

/*
 * The machine-readable UI stream of `plan -json` / `apply -json`: one JSON object per line.
 * Reference: https://opentofu.org/docs/internals/machine-readable-ui/ and our summary in
 * test/fixtures/ui-json/FORMAT.md. The stream is for progress and presentation only; the
 * exit code is the verdict. So parsing a line never throws: what Bosun does not model comes back
 * as `unknown`, what is not JSON as `text`, and a modelled message that does not validate as
 * `invalid`, each with the raw line to show as is.
 */

const Level = z.enum(["trace", "debug", "info", "warn", "error"]);

// Keys on every line. `@timestamp` and `@module` are optional because nothing Bosun decides
// depends on them, and a line should not be lost over them.
const common = {
  "@level": Level,
  "@message": z.string(),
  "@module": z.string().optional(),
  "@timestamp": z.string().optional(),
};

/** Action words used by `planned_change`, `resource_drift` and the apply hooks. */
export const UiChangeAction = z.enum([
  "noop",
  "create",
  "read",
  "update",
  "replace",
  "delete",
  "move",
  "import",
  "remove",
  "forget",
  "open",
  "renew",
  "close",
]);
export type UiChangeAction = z.infer<typeof UiChangeAction>;

/** The resource address object (`resource`, `previous_resource`). */
export const UiResourceAddr = z.object({
  addr: z.string(),
  module: z.string(),
  resource: z.string(),
  resource_type: z.string(),
  resource_name: z.string(),
  /** `null`, a `count` index or a `for_each` key. */
  resource_key: z.union([z.string(), z.number(), z.null()]).optional(),
  implied_provider: z.string().optional(),
});
export type UiResourceAddr = z.infer<typeof UiResourceAddr>;

export const UiVersion = z.object({
  ...common,
  type: z.literal("version"),
  /** The CLI version; Terraform writes `terraform`, OpenTofu `tofu`. */
  terraform: z.string().optional(),
  tofu: z.string().optional(),
  /** The stream's schema version; Bosun reads major version 1. */
  ui: z.string(),
});
export type UiVersion = z.infer<typeof UiVersion>;

const UiPosition = z.object({
  line: z.number().int(),
  column: z.number().int(),
  byte: z.number().int().optional(),
});

export const UiDiagnosticBody = z.object({
  severity: z.enum(["error", "warning"]),
  summary: z.string(),
  detail: z.string().default(""),
  /** The resource instance the problem belongs to, when known. */
  address: z.string().optional(),
  /** Source range, for check-run annotations. */
  range: z.object({ filename: z.string(), start: UiPosition, end: UiPosition }).optional(),
});
export type UiDiagnosticBody = z.infer<typeof UiDiagnosticBody>;

export const UiDiagnostic = z.object({
  ...common,
  type: z.literal("diagnostic"),
  diagnostic: UiDiagnosticBody,
});
export type UiDiagnostic = z.infer<typeof UiDiagnostic>;

const UiChange = z.object({
  resource: UiResourceAddr,
  previous_resource: UiResourceAddr.optional(),
  action: UiChangeAction,
  /** `cannot_update`, `tainted`, `delete_because_no_module`, ... */
  reason: z.string().optional(),
  importing: z.object({ id: z.string().optional() }).optional(),
});

export const UiPlannedChange = z.object({
  ...common,
  type: z.literal("planned_change"),
  change: UiChange,
});
export type UiPlannedChange = z.infer<typeof UiPlannedChange>;

export const UiResourceDrift = z.object({
  ...common,
  type: z.literal("resource_drift"),
  change: UiChange,
});
export type UiResourceDrift = z.infer<typeof UiResourceDrift>;

const Count = z.number().int().nonnegative();

export const UiChangeSummary = z.object({
  ...common,
  type: z.literal("change_summary"),
  changes: z.object({
    /** A replace counts once in `add` and once in `remove`. */
    add: Count,
    change: Count,
    remove: Count,
    import: Count.default(0),
    /** OpenTofu only. */
    forget: Count.default(0),
    operation: z.enum(["plan", "apply", "destroy"]),
  }),
});
export type UiChangeSummary = z.infer<typeof UiChangeSummary>;

const hook = { resource: UiResourceAddr, action: UiChangeAction };
const Elapsed = z.number().nonnegative();

export const UiApplyStart = z.object({
  ...common,
  type: z.literal("apply_start"),
  hook: z.object({ ...hook, id_key: z.string().optional(), id_value: z.string().optional() }),
});
export type UiApplyStart = z.infer<typeof UiApplyStart>;

export const UiApplyProgress = z.object({
  ...common,
  type: z.literal("apply_progress"),
  hook: z.object({ ...hook, elapsed_seconds: Elapsed }),
});
export type UiApplyProgress = z.infer<typeof UiApplyProgress>;

export const UiApplyComplete = z.object({
  ...common,
  type: z.literal("apply_complete"),
  hook: z.object({
    ...hook,
    id_key: z.string().optional(),
    id_value: z.string().optional(),
    elapsed_seconds: Elapsed,
  }),
});
export type UiApplyComplete = z.infer<typeof UiApplyComplete>;

/** A resource failed; the error itself follows as a `diagnostic`. `@level` stays `info`. */
export const UiApplyErrored = z.object({
  ...common,
  type: z.literal("apply_errored"),
  hook: z.object({ ...hook, elapsed_seconds: Elapsed }),
});
export type UiApplyErrored = z.infer<typeof UiApplyErrored>;

/**
 * One output. After a plan it has `action` and no value; after an apply `type` and `value`.
 * Current engines drop the value of a sensitive output, but the docs still say it is included and
 * older versions may send it, so a sensitive output's value is discarded here whatever comes in.
 */
export const UiOutput = z
  .object({
    sensitive: z.boolean(),
    type: z.unknown().optional(),
    value: z.unknown().optional(),
    action: z.enum(["noop", "create", "update", "delete"]).optional(),
  })
  .transform(({ value, ...rest }) => (rest.sensitive ? rest : { ...rest, value }));
export type UiOutput = z.infer<typeof UiOutput>;

export const UiOutputs = z.object({
  ...common,
  type: z.literal("outputs"),
  outputs: z.record(z.string(), UiOutput),
});
export type UiOutputs = z.infer<typeof UiOutputs>;

/** Free text, e.g. provider installation lines. */
export const UiLog = z.object({ ...common, type: z.literal("log") });
export type UiLog = z.infer<typeof UiLog>;

export const UiMessage = z.discriminatedUnion("type", [
  UiVersion,
  UiDiagnostic,
  UiPlannedChange,
  UiResourceDrift,
  UiChangeSummary,
  UiApplyStart,
  UiApplyProgress,
  UiApplyComplete,
  UiApplyErrored,
  UiOutputs,
  UiLog,
]);
export type UiMessage = z.infer<typeof UiMessage>;
export type UiMessageType = UiMessage["type"];

const modelledTypes: ReadonlySet<string> = new Set<UiMessageType>([
  "version",
  "diagnostic",
  "planned_change",
  "resource_drift",
  "change_summary",
  "apply_start",
  "apply_progress",
  "apply_complete",
  "apply_errored",
  "outputs",
  "log",
]);

/** A JSON line whose `type` Bosun does not model (`refresh_start`, `provision_progress`, ...). */
export interface UiUnknownLine {
  readonly type: "unknown";
  /** The line's `type`, absent on e.g. OpenTofu 1.12 `init -json` lines. */
  readonly messageType?: string;
  /** Its `@message`, what to show for it. */
  readonly message?: string;
  readonly raw: string;
}

/** A line that is not a JSON object: stray output, to show as it is. */
export interface UiTextLine {
  readonly type: "text";
  readonly raw: string;
}

export const uiLineProblemCodes = ["invalid-message", "unsupported-ui-version"] as const;
export type UiLineProblemCode = (typeof uiLineProblemCodes)[number];

/** A modelled message that does not match its schema, or a stream of an unsupported version. */
export interface UiInvalidLine {
  readonly type: "invalid";
  readonly code: UiLineProblemCode;
  readonly messageType: string;
  /** What was wrong, naming paths within the line. */
  readonly error: string;
  readonly raw: string;
}

export type UiLine = UiMessage | UiUnknownLine | UiTextLine | UiInvalidLine;

/** Reads one line of the stream. Never throws. */
export function parseUiLine(line: string): UiLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { type: "text", raw: line };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { type: "text", raw: line };
  }
  const fields = value as Record<string, unknown>;
  const messageType = typeof fields["type"] === "string" ? fields["type"] : undefined;
  if (messageType === undefined || !modelledTypes.has(messageType)) {
    const message = fields["@message"];
    return {
      type: "unknown",
      ...(messageType !== undefined && { messageType }),
      ...(typeof message === "string" && { message }),
      raw: line,
    };
  }

  const result = UiMessage.safeParse(value);
  if (!result.success) {
    const error = result.error.issues
      .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    return { type: "invalid", code: "invalid-message", messageType, error, raw: line };
  }
  const message = result.data;
  if (message.type === "version" && majorOf(message.ui) !== "1") {
    return {
      type: "invalid",
      code: "unsupported-ui-version",
      messageType,
      error: `UI stream version "${message.ui}" is not supported; Bosun reads major version 1`,
      raw: line,
    };
  }
  return message;
}

/** Reads a whole captured stream, skipping blank lines. */
export function parseUiStream(text: string): UiLine[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map(parseUiLine);
}

/** The diagnostics of a stream, in order. */
export function diagnosticsOf(lines: readonly UiLine[]): UiDiagnosticBody[] {
  return lines.flatMap((line) => (line.type === "diagnostic" ? [line.diagnostic] : []));
}

function majorOf(version: string): string | undefined {
  return version.split(".")[0];
}
