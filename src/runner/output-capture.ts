export interface OutputCapture {
  /** Keeps `chunk`; false once the stream has gone past the limit (what is past it is dropped). */
  push(chunk: string): boolean;
  /** Everything kept, as one string. */
  text(): string;
}

/**
 * A stream's output kept up to `limit` characters, in chunks joined once at the end, so capturing
 * is linear in the output and stops costing memory at the limit.
 */
export function createOutputCapture(limit: number): OutputCapture {
  const chunks: string[] = [];
  let size = 0;
  return {
    push(chunk) {
      const room = limit - size;
      if (room <= 0) return chunk.length === 0;
      const kept = chunk.length <= room ? chunk : chunk.slice(0, room);
      chunks.push(kept);
      size += kept.length;
      return kept.length === chunk.length;
    },
    text() {
      const joined = chunks.join("");
      chunks.splice(0, chunks.length, joined);
      return joined;
    },
  };
}
