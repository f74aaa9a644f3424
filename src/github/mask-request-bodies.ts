import type { MaskLines } from "../lib/mask-strings.js";
import { maskStrings } from "../lib/mask-strings.js";

/**
 * The parameters of GitHub's write endpoints that carry text people read, and may hold something
 * a run or a pull request put there: a check run's `output` (title, summary, text, annotations),
 * a comment's `body`, a deployment's or a deployment status's `description`, and the same names
 * where an endpoint takes them at the top level. Everything else is left alone: ids, SHAs, refs,
 * URLs, names of the repository, the installation's own `authorization` header.
 */
export const MASKED_PARAMETERS = [
  "output",
  "body",
  "description",
  "title",
  "summary",
  "text",
  "message",
] as const;

/** Methods that only read send no body. */
const READS = new Set(["GET", "HEAD"]);

/** The part of Octokit a plugin is given that this one uses. */
interface HookableOctokit {
  hook: {
    before(name: "request", hook: (options: Record<string, unknown>) => Promise<void>): void;
  };
}

/**
 * An Octokit plugin that masks, in every request that writes, the parameters of
 * {@link MASKED_PARAMETERS} just before they go out: the last pass over whatever Bosun sends to
 * GitHub, behind the masking of engine output, for text that never went through it (scan
 * findings, `bosun.yml` problems, names from the pull request). `maskLines` is asked each time,
 * so installation tokens obtained since are masked too.
 */
export function maskRequestBodies(maskLines: MaskLines) {
  return (octokit: HookableOctokit): void => {
    octokit.hook.before("request", async (options) => {
      const method = typeof options.method === "string" ? options.method.toUpperCase() : "GET";
      if (READS.has(method)) return;
      const present = MASKED_PARAMETERS.filter((name) => options[name] !== undefined);
      if (present.length === 0) return;
      const masked = await maskStrings(
        Object.fromEntries(present.map((name) => [name, options[name]])),
        maskLines,
      );
      Object.assign(options, masked);
    });
  };
}
