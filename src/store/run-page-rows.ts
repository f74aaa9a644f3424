import { inArray } from "drizzle-orm";
import { z } from "zod";
import type { DeltaCounts, RepositorySummary } from "../services/run-page-port.js";
import type { Db } from "./database.js";
import { repositories, revisions } from "./schema/index.js";

/** The parts of a stored plan (run_components.plan_summary) the pages show. */
const StoredPlan = z.object({
  summary: z.object({
    counts: z.object({ add: z.number(), change: z.number(), destroy: z.number() }),
  }),
  planText: z.string().optional(),
});

/** The part of a run component's spec the pages show. */
export const StoredSpec = z.object({
  dir: z.string(),
  dependsOn: z.array(z.object({ stack: z.string() })).optional(),
});

export const ZERO_COUNTS: DeltaCounts = { add: 0, change: 0, destroy: 0 };

export function addCounts(total: DeltaCounts, more: DeltaCounts | undefined): DeltaCounts {
  return more
    ? {
        add: total.add + more.add,
        change: total.change + more.change,
        destroy: total.destroy + more.destroy,
      }
    : total;
}

export function readPlan(raw: unknown): z.infer<typeof StoredPlan> | undefined {
  const parsed = StoredPlan.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** The columns of a {@link RepositorySummary}, selected as they are stored. */
export const repositoryColumns = {
  id: repositories.id,
  fullName: repositories.fullName,
  installationId: repositories.installationId,
  defaultBranch: repositories.defaultBranch,
};

export function toSummary(row: {
  id: number;
  fullName: string;
  installationId: number;
  defaultBranch: string | null;
}): RepositorySummary {
  return { ...row, defaultBranch: row.defaultBranch ?? undefined };
}

/** Which components each run applied (a revision of that run exists), as `runId/componentId`. */
export async function appliedOf(db: Db, runIds: string[]): Promise<Set<string>> {
  if (runIds.length === 0) return new Set<string>();
  const rows = await db
    .select({ runId: revisions.runId, componentId: revisions.componentId })
    .from(revisions)
    .where(inArray(revisions.runId, runIds));
  return new Set(rows.map((row) => `${row.runId}/${row.componentId}`));
}
