import { describe, expect, it } from "vitest";
import { batchCalls } from "../../../src/lib/batch-calls.js";

/** A `run` whose batches finish only when the test says so, recording what each batch held. */
function heldBatches() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const run = (items: number[]) => {
    batches.push(items);
    return new Promise<string[]>((resolve, reject) => {
      releases.push(() =>
        items.includes(13)
          ? reject(new Error("13 is refused"))
          : resolve(items.map((item) => `done ${item}`)),
      );
    });
  };
  /** Lets the pending promise callbacks run. */
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return { batches, releases, run, flush };
}

describe("batchCalls", () => {
  it("runs a call at once when nothing is in flight, and answers it", async () => {
    const { batches, releases, run } = heldBatches();
    const call = batchCalls(run, { maxBatch: 10, maxInFlight: 1 });
    const answer = call(1);
    expect(batches).toEqual([[1]]);
    releases[0]!();
    expect(await answer).toBe("done 1");
  });

  it("gathers the calls made while a batch is in flight into the next batch, in order", async () => {
    const { batches, releases, run, flush } = heldBatches();
    const call = batchCalls(run, { maxBatch: 10, maxInFlight: 1 });
    const answers = [call(1), call(2), call(3), call(4)];
    expect(batches).toEqual([[1]]);
    releases[0]!();
    await flush();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    releases[1]!();
    expect(await Promise.all(answers)).toEqual(["done 1", "done 2", "done 3", "done 4"]);
  });

  it("keeps batches within maxBatch and runs up to maxInFlight of them at once", async () => {
    const { batches, releases, run, flush } = heldBatches();
    const call = batchCalls(run, { maxBatch: 2, maxInFlight: 2 });
    const answers = [1, 2, 3, 4, 5, 6].map((item) => call(item));
    expect(batches).toEqual([[1], [2]]);
    releases[0]!();
    await flush();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    releases[1]!();
    await flush();
    expect(batches).toEqual([[1], [2], [3, 4], [5, 6]]);
    releases[2]!();
    releases[3]!();
    expect(await Promise.all(answers)).toEqual([1, 2, 3, 4, 5, 6].map((item) => `done ${item}`));
  });

  it("retries a failed batch item by item, so only the bad item's call fails", async () => {
    const { batches, releases, run, flush } = heldBatches();
    const call = batchCalls(run, { maxBatch: 10, maxInFlight: 1 });
    const first = call(1);
    const answers = [call(12), call(13), call(14)].map((answer) =>
      answer.then(
        (value) => ({ value }),
        (error: unknown) => ({ error: (error as Error).message }),
      ),
    );
    releases[0]!();
    await flush();
    expect(batches).toEqual([[1], [12, 13, 14]]);
    releases[1]!();
    await flush();
    expect(batches).toEqual([[1], [12, 13, 14], [12], [13], [14]]);
    releases.slice(2).forEach((release) => release());
    expect(await first).toBe("done 1");
    expect(await Promise.all(answers)).toEqual([
      { value: "done 12" },
      { error: "13 is refused" },
      { value: "done 14" },
    ]);
  });
});
