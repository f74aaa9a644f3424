import { RE2JS } from "re2js";

/** A `when_modified` pattern ready to match, or what is wrong with it. */
export type CompiledGlob =
  { ok: true; matches: (path: string) => boolean } | { ok: false; problem: string };

/** Extglob openers (`+(a|b)`, `*(…)`, `?(…)`, `@(…)`, `!(…)`): not part of the glob syntax here. */
const EXTGLOB = /[+*?@!]\(/;
const REGEX_SPECIAL = new Set([..."\\.+*?()|[]{}^$"]);
/** Braces nested deeper than this are a mistake, not a glob. */
const MAX_BRACE_DEPTH = 8;

/**
 * Compiles a glob from a pull request's `bosun.yml` into a matcher whose time is linear in the
 * path's length whatever the pattern (RE2, through re2js): a backtracking engine (picomatch's
 * regular expressions) takes exponential time on patterns such as `*a*a*a*a*a*a*a*a*a*a*b` or
 * `+(a|aa)+(a|aa)…`, and a pull request chooses its patterns.
 *
 * The syntax is the usual one, with dotfiles matched like any other file: `*` (any characters
 * but `/`), `?` (one of them), `[…]` and `[!…]` classes, `{a,b}` alternatives (nested), `\`
 * escapes, and `**` as a whole path segment (any number of directories, none included: `**\/x`
 * matches `x`, `dir/**` matches `dir` and everything in it). Extglobs are refused, not matched
 * literally: someone who wrote one meant something else. A leading `!` is the caller's.
 */
export function compileGlob(glob: string): CompiledGlob {
  if (EXTGLOB.test(glob)) {
    return {
      ok: false,
      problem: `${quote(glob)}: extglob patterns such as +(…), *(…), ?(…), @(…) and !(…) are not supported; use {a,b} alternatives`,
    };
  }
  let source: string;
  try {
    source = translate(glob, 0);
  } catch (error) {
    return { ok: false, problem: `${quote(glob)}: ${(error as Error).message}` };
  }
  try {
    const compiled = RE2JS.compile(`^(?:${source})$`);
    return { ok: true, matches: (path) => compiled.matches(path) };
  } catch (error) {
    return {
      ok: false,
      problem: `${quote(glob)}: not a pattern Bosun can match (${(error as Error).message})`,
    };
  }
}

function translate(glob: string, depth: number): string {
  let out = "";
  for (let i = 0; i < glob.length;) {
    const char = glob[i]!;
    const segmentStart = i === 0 || glob[i - 1] === "/";
    if (char === "*" && glob[i + 1] === "*" && segmentStart) {
      const end = i + 2;
      if (end === glob.length) {
        // `**` alone is everything; `dir/**` is dir itself and everything under it.
        if (i === 0) out += ".*";
        else out = `${out.slice(0, -1)}(?:/.*)?`;
        i = end;
        continue;
      }
      if (glob[end] === "/") {
        out += "(?:[^/]*/)*";
        i = end + 1;
        continue;
      }
    }
    if (char === "*") {
      while (glob[i] === "*") i += 1;
      out += "[^/]*";
    } else if (char === "?") {
      out += "[^/]";
      i += 1;
    } else if (char === "\\") {
      const next = glob[i + 1];
      out += next === undefined ? "\\\\" : escape(next);
      i += next === undefined ? 1 : 2;
    } else if (char === "[") {
      const close = classEnd(glob, i);
      if (close === undefined) {
        out += "\\[";
        i += 1;
      } else {
        out += characterClass(glob.slice(i + 1, close));
        i = close + 1;
      }
    } else if (char === "{") {
      const close = braceEnd(glob, i);
      const alternatives = close === undefined ? [] : splitAlternatives(glob.slice(i + 1, close));
      if (close === undefined || alternatives.length < 2) {
        out += "\\{";
        i += 1;
      } else {
        if (depth >= MAX_BRACE_DEPTH) {
          throw new Error(`braces nested more than ${MAX_BRACE_DEPTH} deep`);
        }
        out += `(?:${alternatives.map((alternative) => translate(alternative, depth + 1)).join("|")})`;
        i = close + 1;
      }
    } else {
      out += escape(char);
      i += 1;
    }
  }
  return out;
}

/** Where the class opened at `open` ends: a `]` right after `[`, `[!` or `[^` is a member. */
function classEnd(glob: string, open: number): number | undefined {
  let i = open + 1;
  if (glob[i] === "!" || glob[i] === "^") i += 1;
  if (glob[i] === "]") i += 1;
  for (; i < glob.length; i += 1) {
    if (glob[i] === "\\") i += 1;
    else if (glob[i] === "]") return i;
  }
  return undefined;
}

/** A class never matches `/`: a path's separator is not a character of a name. */
function characterClass(body: string): string {
  const negated = body.startsWith("!") || body.startsWith("^");
  const members = negated ? body.slice(1) : body;
  let out = "";
  for (let i = 0; i < members.length; i += 1) {
    const char = members[i]!;
    if (char === "\\" && i + 1 < members.length) {
      out += classMember(members[i + 1]!);
      i += 1;
    } else if (char === "-" && i > 0 && i < members.length - 1) out += "-";
    else out += classMember(char);
  }
  return negated ? `[^/${out}]` : `(?:[${out}])`;
}

/** A character as a literal member of an RE2 class: ASCII punctuation escaped, the rest as is. */
function classMember(char: string): string {
  return /^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(char) ? `\\${char}` : char;
}

function braceEnd(glob: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < glob.length; i += 1) {
    if (glob[i] === "\\") i += 1;
    else if (glob[i] === "{") depth += 1;
    else if (glob[i] === "}" && --depth === 0) return i;
  }
  return undefined;
}

/** The top-level comma-separated alternatives of a brace's body. */
function splitAlternatives(body: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i += 1) {
    if (body[i] === "\\") i += 1;
    else if (body[i] === "{") depth += 1;
    else if (body[i] === "}") depth -= 1;
    else if (body[i] === "," && depth === 0) {
      alternatives.push(body.slice(start, i));
      start = i + 1;
    }
  }
  alternatives.push(body.slice(start));
  return alternatives;
}

function escape(char: string): string {
  return REGEX_SPECIAL.has(char) ? `\\${char}` : char;
}

function quote(glob: string): string {
  return JSON.stringify(glob.length > 60 ? `${glob.slice(0, 59)}…` : glob);
}
