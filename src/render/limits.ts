import { assertNever } from "../lib/assert-never.js";

/*
 * GitHub's size limits for what Bosun writes, and the one way to cut text down to them.
 *
 * How GitHub counts differs per field, and its docs say "characters" where the check is bytes:
 * check-run `output.summary` and `output.text` are validated as UTF-8 byte size ("summary exceeds
 * a maximum bytesize of 65535", https://github.com/github/docs/issues/35252), so those limits are
 * measured in UTF-8 bytes. The rest (comment bodies, titles) are measured in UTF-16 code units,
 * JavaScript's `length`: never fewer than the code points GitHub counts, so never an undercount.
 * Each limit also keeps a safety margin below GitHub's number (`budget`), so that a newline
 * normalisation or a count we got subtly wrong does not turn into a 422 and a missing report.
 */

export const textUnits = ["utf8-bytes", "utf16-units"] as const;
export type TextUnit = (typeof textUnits)[number];

/** A size to fit text into: `budget` measured in `unit`. */
export interface TextBudget {
  readonly budget: number;
  readonly unit: TextUnit;
}

export interface TextLimit extends TextBudget {
  /** GitHub's documented maximum. */
  readonly max: number;
  /** Where the number comes from. */
  readonly docs: string;
}

const checkRunsDocs = "https://docs.github.com/en/rest/checks/runs#create-a-check-run";

/** `output.summary` of a check run. */
export const CHECK_RUN_SUMMARY_LIMIT: TextLimit = {
  max: 65_535,
  budget: 65_000,
  unit: "utf8-bytes",
  docs: checkRunsDocs,
};

/** `output.text` of a check run. */
export const CHECK_RUN_TEXT_LIMIT: TextLimit = {
  max: 65_535,
  budget: 65_000,
  unit: "utf8-bytes",
  docs: checkRunsDocs,
};

/**
 * `output.title` of a check run. The REST docs give no maximum for it; 255 is the limit GitHub
 * documents for every other title of the Checks API (annotations), and what it enforces in practice.
 */
export const CHECK_RUN_TITLE_LIMIT: TextLimit = {
  max: 255,
  budget: 250,
  unit: "utf16-units",
  docs: checkRunsDocs,
};

/** `actions[].label`: "The maximum size is 20 characters." */
export const CHECK_RUN_ACTION_LABEL_LIMIT: TextLimit = {
  max: 20,
  budget: 20,
  unit: "utf16-units",
  docs: checkRunsDocs,
};

/** `actions[].description`: "The maximum size is 40 characters." */
export const CHECK_RUN_ACTION_DESCRIPTION_LIMIT: TextLimit = {
  max: 40,
  budget: 40,
  unit: "utf16-units",
  docs: checkRunsDocs,
};

/** `actions[].identifier`: "The maximum size is 20 characters." */
export const CHECK_RUN_ACTION_IDENTIFIER_LIMIT: TextLimit = {
  max: 20,
  budget: 20,
  unit: "utf16-units",
  docs: checkRunsDocs,
};

/** "A maximum of three actions are accepted." */
export const CHECK_RUN_MAX_ACTIONS = 3;

/** "The Checks API limits the number of annotations to a maximum of 50 per API request." */
export const ANNOTATIONS_PER_REQUEST = 50;

/** `annotations[].title`: "The maximum size is 255 characters." */
export const ANNOTATION_TITLE_LIMIT: TextLimit = {
  max: 255,
  budget: 250,
  unit: "utf16-units",
  docs: checkRunsDocs,
};

/** `annotations[].message`: "The maximum size is 64 KB." */
export const ANNOTATION_MESSAGE_LIMIT: TextLimit = {
  max: 65_536,
  budget: 64_000,
  unit: "utf8-bytes",
  docs: checkRunsDocs,
};

/** `annotations[].raw_details`: "The maximum size is 64 KB." */
export const ANNOTATION_RAW_DETAILS_LIMIT: TextLimit = {
  max: 65_536,
  budget: 64_000,
  unit: "utf8-bytes",
  docs: checkRunsDocs,
};

/**
 * An issue or pull request comment's body: "Body is too long (maximum is 65536 characters)".
 * Not in the REST docs; the number is the API's validation message, also recorded at
 * https://github.com/dead-claudia/github-limits.
 */
export const COMMENT_BODY_LIMIT: TextLimit = {
  max: 65_536,
  budget: 65_000,
  unit: "utf16-units",
  docs: "https://docs.github.com/en/rest/issues/comments#create-an-issue-comment",
};

/** An issue's body: the same limit as a comment's ("Body is too long (maximum is 65536 characters)"). */
export const ISSUE_BODY_LIMIT: TextLimit = {
  max: 65_536,
  budget: 65_000,
  unit: "utf16-units",
  docs: "https://docs.github.com/en/rest/issues/issues#create-an-issue",
};

/** The size of `text` in `unit`. */
export function measure(text: string, unit: TextUnit): number {
  switch (unit) {
    case "utf8-bytes":
      return Buffer.byteLength(text, "utf8");
    case "utf16-units":
      return text.length;
    default:
      return assertNever(unit, "text unit");
  }
}

/** What {@link truncateToLimit} appends, or builds from the number of lines it left out. */
export type TruncationNote = string | ((omittedLines: number) => string);

export interface CutText {
  /** The start of the text, ending at a line boundary (no trailing line break). */
  readonly text: string;
  /** Lines not (fully) kept. */
  readonly omittedLines: number;
}

/**
 * The longest start of `text` made of whole lines that fits `budget`. Only when not even the
 * first line fits is a line cut, at a code point boundary, so that a plan holding one huge line
 * still shows something; that line then counts as omitted.
 */
export function cutAtLineBoundary(text: string, budget: number, unit: TextUnit): CutText {
  const lines = text.split("\n");
  if (measure(text, unit) <= budget) return { text, omittedLines: 0 };
  let size = 0;
  let kept = 0;
  for (const line of lines) {
    const added = measure(line, unit) + (kept === 0 ? 0 : 1);
    if (size + added > budget) break;
    size += added;
    kept += 1;
  }
  if (kept > 0) return { text: lines.slice(0, kept).join("\n"), omittedLines: lines.length - kept };
  return { text: cutCodePoints(lines[0] ?? "", budget, unit), omittedLines: lines.length };
}

/**
 * `text` if it fits `limit`; otherwise as many whole lines as fit together with `note`, which
 * goes on a line of its own. The result always fits (`note` itself is cut if it has to be).
 */
export function truncateToLimit(text: string, limit: TextBudget, note: TruncationNote): string {
  if (measure(text, limit.unit) <= limit.budget) return text;
  const lineCount = text.split("\n").length;
  // The note is sized for the most lines it could report, so the cut below can rely on it.
  const widest = typeof note === "string" ? note : note(lineCount);
  const room = limit.budget - measure(widest, limit.unit) - 1;
  if (room <= 0) return cutCodePoints(widest, limit.budget, limit.unit);
  const cut = cutAtLineBoundary(text, room, limit.unit);
  const rendered = typeof note === "string" ? note : note(cut.omittedLines);
  return cut.text === "" ? rendered : `${cut.text}\n${rendered}`;
}

/** The longest start of `text` that fits `budget`, never splitting a surrogate pair. */
export function cutCodePoints(text: string, budget: number, unit: TextUnit): string {
  if (measure(text, unit) <= budget) return text;
  let size = 0;
  let end = 0;
  for (const char of text) {
    const added = codePointSize(char.codePointAt(0) ?? 0, unit);
    if (size + added > budget) break;
    size += added;
    end += char.length;
  }
  return text.slice(0, end);
}

function codePointSize(codePoint: number, unit: TextUnit): number {
  switch (unit) {
    case "utf8-bytes":
      return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    case "utf16-units":
      return codePoint < 0x10000 ? 1 : 2;
    default:
      return assertNever(unit, "text unit");
  }
}
