import { codeFence } from "./code-fence.js";
import { cutAtLineBoundary, measure, type TextBudget } from "./limits.js";
import { sanitizeText } from "./sanitize-text.js";

/** The least room in which to show the start of a line too long to show whole. */
const MIN_PARTIAL_LINE = 200;

export interface ExcerptOptions extends TextBudget {
  /** The fence's info string: `diff`, `text` or empty. */
  readonly info?: string;
  /** The line that follows a cut block, from the number of lines left out. Plain Markdown. */
  readonly note: (omittedLines: number) => string;
}

/**
 * `text` as a fenced code block within `budget`: whole if it fits, else its first whole lines
 * followed, outside the block, by `note` (which can then hold a link). Never more than `budget`:
 * with room for no line, the note alone, and with no room for that, nothing.
 */
export function fencedExcerpt(text: string, options: ExcerptOptions): string {
  const { info = "", budget, unit, note } = options;
  const whole = codeFence(text, info);
  if (measure(whole, unit) <= budget) return whole;

  const content = sanitizeText(text).replace(/\n+$/, "");
  const lines = content.split("\n").length;
  // Sized with the longest fence and the widest note the cut could produce.
  const opening = whole.slice(0, whole.indexOf("\n"));
  const closing = opening.slice(0, opening.length - info.length);
  const worstNote = note(lines);
  const overhead = measure(`${opening}\n\n${closing}\n\n${worstNote}`, unit);
  const room = budget - overhead;
  const cut = room > 0 ? cutAtLineBoundary(content, room, unit) : { text: "", omittedLines: lines };
  // A first line longer than the room is shown in part, but only when that part says something.
  const partial = cut.omittedLines === lines;
  if (cut.text === "" || (partial && room < MIN_PARTIAL_LINE)) {
    // The note alone, or nothing rather than half a note.
    return measure(worstNote, unit) <= budget ? worstNote : "";
  }
  return `${codeFence(cut.text, info)}\n\n${note(cut.omittedLines)}`;
}
