/**
 * Masks consecutive lines of text together (so that a credential printed over several lines, a
 * PEM key, is found), each line masked on its own; `Masker.maskLogLines` in src/lib/redact.ts.
 */
export type MaskLines = (lines: readonly string[]) => Promise<string[]>;

/**
 * `value` with every string in it (at any depth of arrays and plain objects) masked, in one scan
 * of all of them: the credential scan is asynchronous and costs a call per text, and a request
 * body or a page holds many small strings. Anything that is not a string is kept as it is.
 */
export async function maskStrings<T>(value: T, maskLines: MaskLines): Promise<T> {
  const strings: string[] = [];
  collect(value, strings);
  if (strings.length === 0) return value;
  const lines = strings.flatMap((text) => text.split("\n"));
  const masked = await maskLines(lines);
  let next = 0;
  const replacements = strings.map((text) => {
    const count = text.split("\n").length;
    const joined = masked.slice(next, next + count).join("\n");
    next += count;
    return joined;
  });
  let index = 0;
  return rebuild(value, () => replacements[index++]!) as T;
}

function collect(value: unknown, into: string[]): void {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const item of value) collect(item, into);
  else if (isPlainObject(value)) for (const item of Object.values(value)) collect(item, into);
}

/** The same walk as {@link collect}, so the n-th string met is the n-th replacement. */
function rebuild(value: unknown, nextString: () => string): unknown {
  if (typeof value === "string") return nextString();
  if (Array.isArray(value)) return value.map((item) => rebuild(item, nextString));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, rebuild(item, nextString)]),
    );
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
