/**
 * Limits on a webhook payload's shape, checked before it is stored as `jsonb`. GitHub's payloads
 * nest about ten levels deep; PostgreSQL refuses a document nested a few thousand levels deep
 * ("stack depth limit exceeded"), and an error from the database means 503, which GitHub answers
 * by redelivering the same payload forever. So a deeper payload is refused with 400 instead.
 */
export const MAX_PAYLOAD_DEPTH = 64;

/** How deep `value` nests, counted without recursion and up to `limit + 1` at most. */
export function payloadDepth(value: unknown, limit = MAX_PAYLOAD_DEPTH): number {
  let deepest = 0;
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (current === null || typeof current !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) pending.push({ value: child, depth: depth + 1 });
  }
  return deepest;
}

const NUL = "\u0000";
const REPLACEMENT = "\uFFFD";

/**
 * The payload with every U+0000 in its strings and keys replaced by U+FFFD. JSON allows `\u0000`
 * in a string (a comment can carry one) but PostgreSQL's `jsonb` does not ("unsupported Unicode
 * escape sequence"), and a delivery that cannot be stored would be asked for again forever. Its
 * depth is bounded by {@link MAX_PAYLOAD_DEPTH} before this runs.
 */
export function withoutNulCharacters(value: unknown): unknown {
  // Almost no payload holds one: looking costs a fraction of copying (measured by `npm run bench`).
  return containsNul(value) ? replaceNul(value) : value;
}

function containsNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes(NUL);
  if (value === null || typeof value !== "object") return false;
  for (const key in value) {
    if (key.includes(NUL) || containsNul((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function replaceNul(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll(NUL, REPLACEMENT);
  if (Array.isArray(value)) return value.map(replaceNul);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [
        key.replaceAll(NUL, REPLACEMENT),
        replaceNul(child),
      ]),
    );
  }
  return value;
}
