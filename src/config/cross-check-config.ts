import { z } from "zod";
import { crossCheckStacks } from "./cross-check-stacks.js";

/** A place in the document: keys and list indexes from its root. */
export type PathSegment = string | number;

/**
 * A forgiving view of the document for the checks across fields: whatever part has the expected
 * shape is kept, the rest is undefined (the schema reports it). So a bad field elsewhere does not
 * hide a dependency cycle, and all problems come in one round.
 */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const LenientConfig = lenient(
  z.object({
    environments: lenient(
      z.record(z.string(), lenient(z.object({ promote_from: lenient(z.string()) }))),
    ),
    stacks: lenient(
      z.array(
        lenient(
          z.object({
            name: lenient(z.string()),
            environments: lenient(z.array(lenient(z.string()))),
            depends_on: lenient(
              z.array(
                lenient(
                  z.object({
                    stack: lenient(z.string()),
                    inputs: lenient(z.record(z.string(), z.unknown())),
                  }),
                ),
              ),
            ),
          }),
        ),
      ),
    ),
    policies: lenient(z.array(lenient(z.object({ name: lenient(z.string()) })))),
  }),
);

function quoteList(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}

export function crossCheck(raw: unknown): { path: PathSegment[]; message: string }[] {
  const view = LenientConfig.parse(raw);
  if (view === undefined) return [];
  const problems: { path: PathSegment[]; message: string }[] = [];
  const environments = Object.keys(view.environments ?? {});
  const declared = new Set(environments);
  const undeclared = (env: string) =>
    `environment "${env}" is not declared under environments (declared: ${quoteList(environments)})`;

  for (const [env, settings] of Object.entries(view.environments ?? {})) {
    const from = settings?.promote_from;
    if (from === undefined) continue;
    if (from === env) {
      problems.push({
        path: ["environments", env, "promote_from"],
        message: "an environment cannot promote from itself",
      });
    } else if (!declared.has(from)) {
      problems.push({ path: ["environments", env, "promote_from"], message: undeclared(from) });
    }
  }

  const stacks = view.stacks ?? [];
  /** The first declaration of each stack name: the one dependencies resolve to. */
  const byName = new Map<string, { index: number; environments: string[] }>();
  stacks.forEach((stack, index) => {
    if (stack?.name === undefined) return;
    const first = byName.get(stack.name);
    if (first !== undefined) {
      problems.push({
        path: ["stacks", index, "name"],
        message: `stack "${stack.name}" is already declared at stacks[${first.index}]`,
      });
      return;
    }
    const envs = (stack.environments ?? []).filter((env) => env !== undefined);
    byName.set(stack.name, { index, environments: envs });
  });

  stacks.forEach((stack, index) => {
    stack?.environments?.forEach((env, envIndex) => {
      if (env !== undefined && !declared.has(env)) {
        problems.push({
          path: ["stacks", index, "environments", envIndex],
          message: undeclared(env),
        });
      }
    });
  });

  const edges = new Map<string, { target: string; depIndex: number }[]>();
  stacks.forEach((stack, index) => {
    if (stack === undefined) return;
    const listed = new Map<string, number>();
    const fedInputs = new Map<string, { upstream: string; depIndex: number }>();
    const own = (stack.environments ?? []).filter((env) => env !== undefined);
    stack.depends_on?.forEach((dependency, depIndex) => {
      const upstream = dependency?.stack;
      if (upstream === undefined) return;
      const at: PathSegment[] = ["stacks", index, "depends_on", depIndex, "stack"];
      const again = listed.get(upstream);
      if (again !== undefined) {
        problems.push({
          path: at,
          message: `"${upstream}" is already listed at depends_on[${again}]`,
        });
        return;
      }
      listed.set(upstream, depIndex);

      for (const input of Object.keys(dependency?.inputs ?? {})) {
        const feeder = fedInputs.get(input);
        if (feeder === undefined) {
          fedInputs.set(input, { upstream, depIndex });
        } else {
          problems.push({
            path: ["stacks", index, "depends_on", depIndex, "inputs", input],
            message: `input "${input}" is already fed by "${feeder.upstream}" (depends_on[${feeder.depIndex}])`,
          });
        }
      }

      if (upstream === stack.name) {
        problems.push({ path: at, message: "a stack cannot depend on itself" });
        return;
      }
      const target = byName.get(upstream);
      if (target === undefined) {
        problems.push({
          path: at,
          message: `no stack is named "${upstream}" (stacks: ${quoteList([...byName.keys()])})`,
        });
        return;
      }
      const missing = own.filter((env) => !target.environments.includes(env));
      if (missing.length > 0) {
        problems.push({
          path: at,
          message: `upstream "${upstream}" does not run in ${missing.join(", ")}, where "${stack.name ?? `stacks[${index}]`}" does (${upstream} runs in: ${quoteList(target.environments)}); an upstream must run in every environment of its downstream`,
        });
      }
      // Duplicate stack declarations are reported above; only the first one takes part in the graph.
      if (stack.name !== undefined && byName.get(stack.name)?.index === index) {
        const out = edges.get(stack.name) ?? [];
        out.push({ target: upstream, depIndex });
        edges.set(stack.name, out);
      }
    });
  });

  problems.push(...findCycles(byName, edges));
  problems.push(...crossCheckStacks(raw));

  const policyNames = new Map<string, number>();
  view.policies?.forEach((policy, index) => {
    if (policy?.name === undefined) return;
    const first = policyNames.get(policy.name);
    if (first === undefined) {
      policyNames.set(policy.name, index);
    } else {
      problems.push({
        path: ["policies", index, "name"],
        message: `policy "${policy.name}" is already declared at policies[${first}]`,
      });
    }
  });

  return problems;
}

/**
 * One problem per cycle a depth-first walk meets (in declaration order), placed at the
 * dependency of the cycle's first-declared stack, named in the direction of `depends_on`:
 * `network → app → network` means network depends on app, which depends on network.
 */
function findCycles(
  stacks: ReadonlyMap<string, { index: number }>,
  edges: ReadonlyMap<string, readonly { target: string; depIndex: number }[]>,
): { path: PathSegment[]; message: string }[] {
  const problems: { path: PathSegment[]; message: string }[] = [];
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const reported = new Set<string>();
  const indexOf = (stack: string) => stacks.get(stack)?.index ?? Number.MAX_SAFE_INTEGER;

  const report = (target: string): void => {
    const cycle = trail.slice(trail.indexOf(target));
    const start = cycle.reduce(
      (best, item, i) => (indexOf(item) < indexOf(cycle[best] ?? "") ? i : best),
      0,
    );
    const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
    const key = rotated.join("\u0000");
    if (reported.has(key)) return;
    reported.add(key);
    const [first = target, second = first] = rotated;
    const depIndex = edges.get(first)?.find((edge) => edge.target === second)?.depIndex ?? 0;
    problems.push({
      path: ["stacks", indexOf(first), "depends_on", depIndex, "stack"],
      message: `dependency cycle: ${[...rotated, first].join(" → ")}`,
    });
  };

  // Iterative, with the trail as the call stack: a 1 MB file can chain thousands of stacks.
  for (const root of stacks.keys()) {
    if (state.has(root)) continue;
    const frames: { stack: string; next: number }[] = [{ stack: root, next: 0 }];
    state.set(root, "open");
    trail.push(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame === undefined) break;
      const edge = edges.get(frame.stack)?.[frame.next];
      if (edge === undefined) {
        frames.pop();
        trail.pop();
        state.set(frame.stack, "done");
        continue;
      }
      frame.next++;
      const seen = state.get(edge.target);
      if (seen === "open") {
        report(edge.target);
      } else if (seen === undefined) {
        state.set(edge.target, "open");
        trail.push(edge.target);
        frames.push({ stack: edge.target, next: 0 });
      }
    }
  }
  return problems;
}
