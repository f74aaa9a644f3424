import { z } from "zod";
import { cronProblem, DRIFT_OFF } from "../domain/drift-schedule.js";

export const DriftConfig = z
  .strictObject({
    schedule: z
      .string()
      .superRefine((value, ctx) => {
        const problem = value === DRIFT_OFF ? undefined : cronProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional()
      .describe(
        'When to check for drift: a cron expression in UTC (five fields, such as "0 */6 * * *", or @hourly, @daily, @weekly), or off for never. Default: the server\'s BOSUN_DRIFT_SCHEDULE, when the operator set one.',
      ),
    reconcile: z
      .boolean()
      .default(false)
      .describe(
        "When a check finds drift, open a tracked run at the tracked branch's head for the drifted stacks, to put them back; it is applied through the usual approval (or autodeploy).",
      ),
  })
  .describe(
    "Scheduled drift checks: a plan of every deployed stack at its deployed commit, and a GitHub issue while drift lasts. Read from the tracked branch only.",
  );
export type DriftConfig = z.infer<typeof DriftConfig>;
