import { z } from "zod";
import { PAGE_SIZES } from "./render-runs-table.js";

/** A runs list's query string: page, rows per page, and who triggered the runs. */
export const RunsQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  per_page: z.coerce
    .number()
    .int()
    .refine((size) => (PAGE_SIZES as readonly number[]).includes(size))
    .catch(25),
  triggered_by: z
    .string()
    .max(100)
    .optional()
    .transform((value) => (value ? value : undefined)),
  stack: z.string().max(200).optional(),
});
export type RunsQuery = z.infer<typeof RunsQuery>;
