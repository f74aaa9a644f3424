import { eq } from "drizzle-orm";
import type { RunReportStore } from "../services/run-report-port.js";
import type { Db } from "./database.js";
import { runs } from "./schema/index.js";

export function createRunReportRepository(db: Db): RunReportStore {
  return {
    async setCheckRun(runId, checkRunId) {
      await db.update(runs).set({ checkRunId }).where(eq(runs.id, runId));
    },

    async setDeployment(runId, deploymentId, state) {
      await db
        .update(runs)
        .set({ ...(deploymentId !== undefined ? { deploymentId } : {}), deploymentState: state })
        .where(eq(runs.id, runId));
    },

    async setReportDigest(runId, digest) {
      await db.update(runs).set({ reportDigest: digest }).where(eq(runs.id, runId));
    },
  };
}
