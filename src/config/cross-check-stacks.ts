import path from "node:path";
import { z } from "zod";

type PathSegment = string | number;

const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const LenientStacks = lenient(
  z.object({
    stacks: lenient(
      z.array(
        lenient(
          z.object({
            dir: lenient(z.string()),
            var_files: lenient(z.array(lenient(z.string()))),
            state: lenient(z.string()),
            backend_config: lenient(z.record(z.string(), z.unknown())),
            workspace: lenient(z.string()),
          }),
        ),
      ),
    ),
  }),
);

/**
 * The checks of one stack's fields against each other: var files that climb out of `dir` must
 * stay in the repository (the runner only ever has the repository), and per-environment backend
 * settings only mean something for a backend the stack owns.
 */
export function crossCheckStacks(raw: unknown): { path: PathSegment[]; message: string }[] {
  const problems: { path: PathSegment[]; message: string }[] = [];
  (LenientStacks.parse(raw)?.stacks ?? []).forEach((stack, index) => {
    if (stack === undefined) return;
    const dir = stack.dir;
    if (dir !== undefined) {
      stack.var_files?.forEach((file, fileIndex) => {
        if (file === undefined) return;
        const resolved = path.posix.normalize(path.posix.join(dir, file));
        if (resolved === ".." || resolved.startsWith("../")) {
          problems.push({
            path: ["stacks", index, "var_files", fileIndex],
            message: `from dir ${dir} it lies outside the repository; var files are read from the repository only`,
          });
        }
      });
    }
    for (const field of ["backend_config", "workspace"] as const) {
      if (stack[field] !== undefined && stack.state !== "own") {
        problems.push({
          path: ["stacks", index, field],
          message: `needs state: own; Bosun's managed backend already keeps one state per environment`,
        });
      }
    }
  });
  return problems;
}
