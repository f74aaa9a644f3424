import type { GlobMatch } from "../domain/affected-components.js";
import { compileGlob } from "./compile-glob.js";

/**
 * The {@link GlobMatch} for `when_modified` patterns (syntax in ./compile-glob.ts): linear-time
 * matching, dotfiles matched like any other file (they are as much part of a stack), POSIX
 * separators (GitHub reports paths with `/`), and no negation, because a leading `!` is handled by
 * the caller (the last matching pattern decides).
 *
 * Compiled patterns are kept for the life of the returned matcher (one computation, say), not in
 * module state.
 */
export function createGlobMatcher(): GlobMatch {
  const compiled = new Map<string, (path: string) => boolean>();
  return (glob, path) => {
    let matcher = compiled.get(glob);
    if (matcher === undefined) {
      const result = compileGlob(glob);
      // bosun.yml's schema refuses such a pattern with its line; reaching here is a bug.
      if (!result.ok) throw new Error(`when_modified pattern refused: ${result.problem}`);
      matcher = result.matches;
      compiled.set(glob, matcher);
    }
    return matcher(path);
  };
}
