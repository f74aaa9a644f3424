/**
 * Splits `budget` between claims of the given sizes so that no claim gets more than it asks and
 * the small ones are served whole before the large ones are cut (max-min fairness, "water
 * filling"): two plans of 10 and 100 lines in room for 60 get 10 and 50, not 30 and 30.
 * `floors` are granted first (each at most its claim), even beyond `budget`: a plan's share must
 * at least hold the note that says where the rest of it is. The result is in the order of
 * `sizes`; integer shares, so up to one unit per claim may go unused.
 */
export function fairShare(
  sizes: readonly number[],
  budget: number,
  floors: readonly number[] = [],
): number[] {
  const claims = sizes.map((size) => Math.max(0, size));
  const granted = claims.map((claim, index) => Math.min(claim, Math.max(0, floors[index] ?? 0)));
  const order = claims
    .map((claim, index) => ({ rest: claim - (granted[index] ?? 0), index }))
    .sort((a, b) => a.rest - b.rest || a.index - b.index);
  let remaining = Math.max(
    0,
    Math.floor(budget) - granted.reduce((total, share) => total + share, 0),
  );
  order.forEach(({ rest, index }, position) => {
    const fair = Math.floor(remaining / (order.length - position));
    const extra = Math.min(rest, fair);
    granted[index] = (granted[index] ?? 0) + extra;
    remaining -= extra;
  });
  return granted;
}
