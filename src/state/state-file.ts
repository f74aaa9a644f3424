import { z } from "zod";
import { refuse, type StateRefusal } from "./state-refusal.js";

/**
 * The fields of an engine state (format version 4, written by Terraform ≥ 0.12 and every
 * OpenTofu) that decide whether a write is accepted. The rest is stored as sent.
 */
export const StateFile = z.looseObject({
  version: z.literal(4, {
    error: "version must be 4 (the state format of Terraform ≥ 0.12 and OpenTofu)",
  }),
  serial: z
    .number({ error: "serial must be a number" })
    .int("serial must be a whole number")
    .nonnegative("serial must not be negative")
    .max(Number.MAX_SAFE_INTEGER, "serial is too large"),
  lineage: z.string({ error: "lineage must be a string" }).min(1, "lineage must not be empty"),
  terraform_version: z.string().optional(),
});
export type StateFile = z.infer<typeof StateFile>;

export function parseStateFile(body: Buffer): { kind: "parsed"; state: StateFile } | StateRefusal {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (error) {
    // V8's message quotes the text around the fault, and a state is full of secrets: keep only
    // where it went wrong.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    return refuse(
      "not-json",
      `the state is not JSON${position === undefined ? "" : ` (syntax error at byte ${position})`}`,
    );
  }
  const parsed = StateFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length > 0 ? issue.message : `the state must be a JSON object (${issue.message})`,
    );
    return refuse("not-state", `the body is not an engine state: ${problems.join("; ")}`);
  }
  return { kind: "parsed", state: parsed.data };
}
