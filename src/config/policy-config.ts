import { z } from "zod";
import {
  MAX_POLICY_EXPRESSION_LENGTH,
  parsePolicyExpression,
} from "../policy/parse-policy-expression.js";
import { nameSchema } from "./config-fields.js";

const MAX_EXPRESSION_LENGTH = MAX_POLICY_EXPRESSION_LENGTH;
const expression = z
  .string()
  .trim()
  .min(1, "the expression must not be empty")
  .max(MAX_EXPRESSION_LENGTH, `the expression has at most ${MAX_EXPRESSION_LENGTH} characters`)
  // Parsed here, so that a broken rule fails the config with its line instead of denying every
  // plan later. Only what is wrong whatever the plan is caught: the plan's fields are unknown yet.
  .superRefine((value, ctx) => {
    // The checks above already said what is wrong with these.
    if (value.length === 0 || value.length > MAX_EXPRESSION_LENGTH) return;
    const parsed = parsePolicyExpression(value);
    if (parsed.ok) return;
    for (const problem of parsed.problems) {
      ctx.addIssue({ code: "custom", message: problem.message });
    }
  });

export const PolicyConfig = z
  .strictObject({
    name: nameSchema("policy").describe("Unique name of the policy, shown with its verdict."),
    deny: expression
      .optional()
      .describe(
        "A CEL expression over `plan` (the engine's JSON plan), `scan` (the pre-plan scan's findings: kind external-data-source, local-exec, provisioner, provider, remote-module or unparsable; file, name, detail), `component`, `environment` and `run`; true denies the plan. A rule that does not read `plan` is also evaluated before the engine starts, and its denial stops the plan there.",
      ),
    warn: expression
      .optional()
      .describe(
        "A CEL expression over `plan`, `scan`, `component`, `environment` and `run`, as deny; true shows a warning and stops autodeploy.",
      ),
    message: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe("What to tell the reviewer when the policy fires; the policy's name when unset."),
  })
  .superRefine((policy, ctx) => {
    if ((policy.deny === undefined) === (policy.warn === undefined)) {
      ctx.addIssue({
        code: "custom",
        message:
          policy.deny === undefined
            ? "a policy needs one of deny or warn"
            : "a policy has either deny or warn, not both: make it two policies",
      });
    }
  })
  // The JSON Schema form of the refinement above, which toJSONSchema cannot see.
  .meta({
    description:
      "A check on every plan: exactly one of deny (blocks the apply) or warn (needs a human to confirm).",
    oneOf: [{ required: ["deny"] }, { required: ["warn"] }],
  });
export type PolicyConfig = z.infer<typeof PolicyConfig>;
