/**
 * The most of one line the log keeps. An engine may print a whole state or a provider's debug dump
 * on one line; past this the rest of the line is counted and dropped, so a line of any length costs
 * at most this much memory on its way to the log.
 */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * How far back from {@link MAX_LINE_CHARS} a cut line may end at whitespace instead, so a token
 * printed across the limit is dropped whole rather than leaving its first half in the log, where
 * neither the known-value nor the credential-pattern masking could recognise it.
 */
const CUT_BACKOFF_CHARS = 1024;

export interface LineAssembler {
  /** Feeds decoded text; calls `onLine` for every line it completes. */
  push(text: string): void;
  /** Ends the stream: an unterminated last line is delivered too. */
  end(): void;
}

/**
 * Splits a stream of text chunks into lines in time linear in the input, whatever the line length:
 * the unfinished line is kept as a list of parts (never re-scanned or re-concatenated per chunk) and
 * stops growing at `maxChars`. A trailing `\r` is dropped, as engines on Windows-built providers
 * print CRLF.
 */
export function createLineAssembler(
  onLine: (line: string) => void,
  maxChars: number = MAX_LINE_CHARS,
): LineAssembler {
  let parts: string[] = [];
  let kept = 0;
  let dropped = 0;

  const append = (segment: string): void => {
    const room = maxChars - kept;
    if (segment.length <= room) {
      if (segment.length > 0) parts.push(segment);
      kept += segment.length;
      return;
    }
    if (room > 0) parts.push(segment.slice(0, room));
    kept += Math.max(0, room);
    dropped += segment.length - Math.max(0, room);
  };

  const emit = (): void => {
    let line = parts.join("");
    if (dropped > 0) {
      const tail = Math.min(line.length, CUT_BACKOFF_CHARS);
      const space = line.slice(line.length - tail).search(/\s\S*$/);
      const cutAt = space === -1 ? line.length : line.length - tail + space;
      line = `${line.slice(0, cutAt)} … [line cut: ${line.length - cutAt + dropped} more characters not logged]`;
    } else if (line.endsWith("\r")) {
      line = line.slice(0, -1);
    }
    parts = [];
    kept = 0;
    dropped = 0;
    onLine(line);
  };

  return {
    push(text) {
      let from = 0;
      for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", from)) {
        append(text.slice(from, at));
        emit();
        from = at + 1;
      }
      append(text.slice(from));
    },
    end() {
      if (kept > 0 || dropped > 0) emit();
    },
  };
}
