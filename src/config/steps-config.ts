import { z } from "zod";
import { STEP_FAILURE_MODES, STEP_HOOKS, type StepHook } from "../domain/custom-step.js";
import { nameSchema } from "./config-fields.js";

/** A step's command is a line or a short script; anything longer belongs in a file of its own. */
const MAX_RUN_LENGTH = 16 * 1024;
/** Per hook: each step is a process and a timeline entry of every run. */
const MAX_STEPS_PER_HOOK = 20;

export const StepConfig = z
  .strictObject({
    name: nameSchema("step").describe(
      "The step's name, unique within its hook: its entry on the run page and its section on the check run.",
    ),
    run: z
      .string()
      .trim()
      .min(1, "the command must not be empty")
      .max(MAX_RUN_LENGTH, `the command has at most ${MAX_RUN_LENGTH} characters`)
      .describe(
        "A shell command, run with sh -c in the stack's directory, in the engine's sandbox and environment (the phase's secrets and cloud identity), with BOSUN_STACK, BOSUN_ENVIRONMENT, BOSUN_PHASE, BOSUN_PLAN_FILE, BOSUN_PLAN_JSON and BOSUN_STEP_SUMMARY set.",
      ),
    on_failure: z
      .enum(STEP_FAILURE_MODES)
      .default("fail")
      .describe(
        "fail (the default): a non-zero exit fails the phase. warn: it shows a warning on the check run and holds autodeploy, and the run goes on.",
      ),
  })
  .describe("One custom step: a named shell command.");
export type StepConfig = z.infer<typeof StepConfig>;

const stepList = (hook: StepHook) =>
  z
    .array(StepConfig)
    .max(MAX_STEPS_PER_HOOK, `at most ${MAX_STEPS_PER_HOOK} steps per hook`)
    .superRefine((steps, ctx) => {
      steps.forEach((step, index) => {
        const first = steps.findIndex((other) => other.name === step.name);
        if (first !== index) {
          ctx.addIssue({
            code: "custom",
            path: [index, "name"],
            message: `step "${step.name}" is already named at ${hook}[${first}]`,
          });
        }
      });
    })
    .optional();

const hookText: Record<StepHook, string> = {
  before_init: "Before the engine's init (in the plan's and in the apply's preparation).",
  after_init: "After the engine's init (in the plan's and in the apply's preparation).",
  before_plan: "Before the plan; a failure fails the plan before the engine plans.",
  after_plan:
    "After the plan, with BOSUN_PLAN_FILE and BOSUN_PLAN_JSON written; a failure fails the plan (nothing to apply) unless on_failure: warn.",
  before_apply: "Before the apply; a failure fails the apply before the engine applies.",
  after_apply: "After the apply; a failure fails the apply phase, though the apply has happened.",
};

export const StepsConfig = z
  .strictObject(
    Object.fromEntries(
      STEP_HOOKS.map((hook) => [hook, stepList(hook).describe(hookText[hook])]),
    ) as Record<StepHook, ReturnType<typeof stepList>>,
  )
  .describe(
    "Custom steps around the phases, hook by hook. Read from the tracked branch only: a pull request that changes them shows the change, which takes effect once merged.",
  );
export type StepsConfig = z.infer<typeof StepsConfig>;
