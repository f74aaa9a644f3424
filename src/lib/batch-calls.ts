/**
 * Turns a function of many items into a function of one: calls made while `maxInFlight` batches
 * are already running wait and go together in the next batch (up to `maxBatch`), so under load a
 * fixed cost per batch (a transaction and its commit) is shared, and when idle a call runs at
 * once, never waiting on a timer. `run` answers item by item, in order. When a batch of several
 * fails, each of its items is tried again alone, so one bad item fails only its own call.
 */
export function batchCalls<Item, Result>(
  run: (items: Item[]) => Promise<Result[]>,
  options: { maxBatch: number; maxInFlight: number },
): (item: Item) => Promise<Result> {
  interface Waiting {
    item: Item;
    resolve: (result: Result) => void;
    reject: (error: unknown) => void;
  }
  const waiting: Waiting[] = [];
  let inFlight = 0;

  const settle = async (batch: Waiting[]): Promise<void> => {
    let results: Result[];
    try {
      results = await run(batch.map((call) => call.item));
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      else await Promise.all(batch.map((call) => settle([call])));
      return;
    }
    batch.forEach((call, index) => {
      if (index < results.length) call.resolve(results[index] as Result);
      else call.reject(new Error(`a batch of ${batch.length} answered ${results.length} results`));
    });
  };

  const next = (): void => {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      inFlight += 1;
      void settle(waiting.splice(0, options.maxBatch)).finally(() => {
        inFlight -= 1;
        next();
      });
    }
  };

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      next();
    });
}
