import picomatch from "picomatch";
import type { GlobMatch } from "../domain/affected-components.js";

/**
 * The {@link GlobMatch} for `when_modified` patterns: picomatch with `dot: true`, so `**\/*.tf`
 * also matches files under dot-directories and dotfiles, which are as much part of a stack as any
 * other; POSIX separators whatever the platform, since GitHub reports paths with `/`; and no
 * negation, because a leading `!` is handled by the caller (the last matching pattern decides).
 *
 * Compiled patterns are kept for the life of the returned matcher (one computation, say), not in
 * module state.
 */
export function createGlobMatcher(): GlobMatch {
  const compiled = new Map<string, (path: string) => boolean>();
  return (glob, path) => {
    let matcher = compiled.get(glob);
    if (matcher === undefined) {
      matcher = picomatch(glob, { dot: true, windows: false, nonegate: true });
      compiled.set(glob, matcher);
    }
    return matcher(path);
  };
}
