import { StringDecoder } from "node:string_decoder";
import { Transform, type TransformCallback } from "node:stream";
import { findCredentials, type TextRange } from "./find-credentials.js";

/**
 * Values shorter than this are not masked. Masking a three-character value would blank out every
 * word that happens to contain it, ruin the log, and point at the secret through the pattern of
 * holes it leaves; a secret that short is not protected by masking anyway.
 */
export const MIN_SECRET_LENGTH = 4;

/** What a masked occurrence is replaced with. */
export const MASK = "***";

/**
 * A line of this many characters without a line break is flushed in parts, so a process that
 * prints one endless line cannot make {@link Masker.maskLines} hold it all in memory.
 */
const MAX_PENDING_CHARS = 1024 * 1024;

/**
 * Base64 of a secret that starts at byte 1 or 2 of a larger encoded block keeps only the
 * characters that do not depend on its neighbours; below this many, such a fragment of a short
 * secret would blank out unrelated base64 (digests, ids) all over a log.
 */
const MIN_SHIFTED_BASE64_CHARS = 8;

/**
 * Masks secret values in text: the values themselves and the forms they take when a tool
 * re-encodes them (base64, URL encoding, JSON string escapes). docs/design.md: "Logs never contain
 * secret values."
 */
export interface Masker {
  /**
   * Adds values to mask from now on; values an engine marks sensitive become known only after
   * a plan. Values shorter than {@link MIN_SECRET_LENGTH} are ignored.
   */
  add(...values: string[]): void;
  /** `text` with every occurrence of every known form replaced by {@link MASK}. */
  mask(text: string): string;
  /**
   * {@link mask}, and also every credential of a well-known format (cloud keys, GitHub and Slack
   * tokens, private keys, basic auth; see find-credentials.ts), known to Bosun or not.
   */
  maskText(text: string): Promise<string>;
  /**
   * {@link maskText} for consecutive lines of a log, scanned together so that a credential
   * printed over several lines (a PEM key) is found; each line is masked on its own, so lines
   * keep their number and order.
   */
  maskLogLines(lines: readonly string[]): Promise<string[]>;
  /**
   * A transform for a streamed log that masks one line at a time, with the values known when
   * the line completes. A secret is assumed not to span lines; a multi-line value is masked line
   * by line (see {@link encodedForms}).
   */
  maskLines(): Transform;
}

export function createMasker(values: Iterable<string> = []): Masker {
  // Every form of every value; a Set because many values share forms (a value and its JSON
  // escape are the same string when it has nothing to escape).
  const forms = new Set<string>();
  // The longest form decides how much of an unfinished line must be held back.
  let longest = 0;

  const add = (...added: string[]): void => {
    for (const value of added) {
      for (const form of encodedForms(value)) {
        forms.add(form);
        longest = Math.max(longest, form.length);
      }
    }
  };

  const mask = (text: string): string => {
    if (forms.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    return replaceRanges(text, maskedRanges(text, forms));
  };

  const everything = async (text: string): Promise<[number, number][]> =>
    mergeRanges([...occurrences(text, forms), ...(await findCredentials(text))]);

  const maskText = async (text: string): Promise<string> =>
    replaceRanges(text, await everything(text));

  const maskLogLines = async (lines: readonly string[]): Promise<string[]> => {
    const joined = lines.join("\n");
    const ranges = await everything(joined);
    let lineStart = 0;
    let first = 0;
    return lines.map((line) => {
      const lineEnd = lineStart + line.length;
      while (first < ranges.length && ranges[first]![1] <= lineStart) first++;
      const local: [number, number][] = [];
      for (let i = first; i < ranges.length && ranges[i]![0] < lineEnd; i++) {
        const [start, end] = ranges[i]!;
        local.push([Math.max(start, lineStart) - lineStart, Math.min(end, lineEnd) - lineStart]);
      }
      lineStart = lineEnd + 1;
      return replaceRanges(line, local);
    });
  };

  const maskLines = (): Transform => {
    const decoder = new StringDecoder("utf8");
    let pending = "";

    const takeCompleteLines = (): string => {
      const lastBreak = pending.lastIndexOf("\n");
      if (lastBreak === -1) return "";
      const complete = pending.slice(0, lastBreak + 1);
      pending = pending.slice(lastBreak + 1);
      // Each line on its own: a match must not run from one line into the next, since the
      // contract is that a secret never spans lines, and masking across a break would hide it.
      return complete.split("\n").map(mask).join("\n");
    };

    const takeOverlongPrefix = (): string => {
      if (pending.length <= MAX_PENDING_CHARS) return "";
      // Keep back the last (longest - 1) characters: an occurrence that starts before the cut
      // then ends inside `pending`, so it is seen whole. One that straddles the cut moves the
      // cut to its start.
      let cut = pending.length - Math.max(0, longest - 1);
      for (const [start, end] of maskedRanges(pending, forms)) {
        if (start < cut && cut < end) cut = start;
      }
      const head = pending.slice(0, cut);
      pending = pending.slice(cut);
      return mask(head);
    };

    return new Transform({
      transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
        pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
        const out = takeCompleteLines() + takeOverlongPrefix();
        callback(null, out.length > 0 ? out : undefined);
      },
      flush(callback: TransformCallback) {
        pending += decoder.end();
        const out = takeCompleteLines() + mask(pending);
        pending = "";
        callback(null, out.length > 0 ? out : undefined);
      },
    });
  };

  add(...values);
  return { add, mask, maskText, maskLogLines, maskLines };
}

/**
 * The strings under which `value` may appear in output:
 * - the value itself;
 * - each of its lines, when it has several (a PEM key printed in a log is masked line by line);
 * - base64 (padded and not, standard and URL-safe alphabets): tools print credentials encoded,
 *   e.g. HTTP basic auth headers and Kubernetes secrets. Inside a larger encoded block (`user:`
 *   before a password, a whole encoded config file) the secret starts at byte offset 0, 1 or 2
 *   of a 3-byte group, and each offset encodes it differently: all three are masked, each without
 *   the edge characters that also encode its neighbours;
 * - URL encoding (upper- and lower-case hex, and `+` for spaces as in form bodies);
 * - the body of a JSON string, both as JavaScript writes it and as Go's encoding/json does (it
 *   also escapes `<`, `>` and `&`), because the engines' `-json` output is written by Go.
 */
export function encodedForms(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  const forms = new Set<string>([value]);
  const lines = value.split(/\r?\n/);
  if (lines.length > 1) {
    for (const line of lines) {
      if (line.length >= MIN_SECRET_LENGTH) forms.add(line);
    }
  }
  const bytes = Buffer.from(value, "utf8");
  const base64 = bytes.toString("base64");
  forms.add(base64);
  forms.add(bytes.toString("base64url"));
  for (const alphabet of ["base64", "base64url"] as const) {
    for (const offset of [0, 1, 2]) {
      const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
        .toString(alphabet)
        .replace(/=+$/, "");
      // Character i encodes bits 6i to 6i+6 of the block: those of the secret alone run from
      // character ceil(8 offset / 6) to floor(8 (offset + length) / 6).
      const form = encoded.slice(
        Math.ceil((4 * offset) / 3),
        Math.floor((4 * (offset + bytes.length)) / 3),
      );
      if (offset === 0 || form.length >= MIN_SHIFTED_BASE64_CHARS) forms.add(form);
    }
    forms.add(bytes.toString(alphabet).replace(/=+$/, ""));
  }
  const uri = encodeURIComponent(value);
  forms.add(uri);
  forms.add(uri.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  forms.add(uri.replace(/%20/g, "+"));
  const json = JSON.stringify(value).slice(1, -1);
  forms.add(json);
  forms.add(
    json
      .replace(/</g, "\\u003c")
      .replace(/>/g, "\\u003e")
      .replace(/&/g, "\\u0026")
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029"),
  );
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * The sorted, merged [start, end) ranges of `text` covered by any occurrence of any form,
 * overlapping occurrences included. Masking the union of ranges rather than replacing forms one
 * after another means that when two secrets overlap ("abcdef" and "defghi" in "abcdefghi")
 * neither leaves a tail behind, and the order of replacement cannot matter. Plain `indexOf`, no
 * regular expressions: secrets contain metacharacters.
 */
function maskedRanges(text: string, forms: Iterable<string>): [number, number][] {
  return mergeRanges(occurrences(text, forms));
}

function occurrences(text: string, forms: Iterable<string>): [number, number][] {
  const ranges: [number, number][] = [];
  for (const form of forms) {
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
      ranges.push([at, at + form.length]);
    }
  }
  return ranges;
}

/** Sorted, with overlapping and touching ranges joined. */
function mergeRanges(unsorted: readonly TextRange[]): [number, number][] {
  if (unsorted.length === 0) return [];
  const ranges = unsorted.map(([start, end]): [number, number] => [start, end]);
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last !== undefined && range[0] <= last[1]) {
      last[1] = Math.max(last[1], range[1]);
    } else {
      merged.push([range[0], range[1]]);
    }
  }
  return merged;
}

function replaceRanges(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text;
  let out = "";
  let from = 0;
  for (const [start, end] of ranges) {
    out += text.slice(from, start) + MASK;
    from = end;
  }
  return out + text.slice(from);
}

const KEY_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/g;
const KEY_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/g;

/**
 * The index of the line that opens a PEM private key block not closed by the last line, if any:
 * a log writer holds such lines back until the block is complete, because the credential scan
 * recognises a key only whole.
 */
export function openKeyBlockStart(lines: readonly string[]): number | undefined {
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index]!;
    const begin = lastMatch(line, KEY_BEGIN);
    const end = lastMatch(line, KEY_END);
    if (end !== -1 && end > begin) return undefined;
    if (begin !== -1) return index;
  }
  return undefined;
}

function lastMatch(line: string, pattern: RegExp): number {
  let last = -1;
  for (const match of line.matchAll(pattern)) last = match.index;
  return last;
}
