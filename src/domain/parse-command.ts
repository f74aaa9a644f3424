/**
 * Comment commands (docs/design.md "GitHub surface"). A comment's first line is a command when it
 * starts with `/word`; quoted (`>`) and fenced (``` or ~~~) lines never count as that first line.
 * The line is split on whitespace, never handed to a shell, and every argument is checked against
 * a strict grammar: stack and environment names, resource addresses, run ids.
 */

import { buildCommand } from "./build-command.js";
import { isCommandKind, MAX_COMMAND_LENGTH, type CommandParse } from "./command.js";
import { codeSpan } from "./comment-code-span.js";
import { firstCommandLine } from "./first-command-line.js";

/**
 * Reads the command in a comment, if any: `ignore` when the first line that counts does not
 * start with `/word`, `error` when it does but is not a command Bosun can run.
 */
export function parseCommand(body: string): CommandParse {
  const line = firstCommandLine(body);
  if (line === undefined) return { kind: "ignore" };
  const tokens = line.split(/\s+/);
  const first = tokens[0] ?? "";
  const word = /^\/([A-Za-z][A-Za-z0-9_-]*)$/.exec(first)?.[1];
  if (word === undefined) {
    // "/path/to/file is missing" or "/ shrug" is prose. But "/plan;", "/аpply" (a Cyrillic а)
    // or one with an invisible character is meant as a command: silence would look like
    // Bosun ignoring it, or like it ran.
    if (!/^\/\p{L}[^/]*$/u.test(first)) return { kind: "ignore" };
    return error(`unknown command ${codeSpan(first)}${unusualCharacters(first)}`);
  }
  if (line.length > MAX_COMMAND_LENGTH) {
    return error(`the command is longer than ${MAX_COMMAND_LENGTH} characters`);
  }
  if (!isCommandKind(word)) {
    const lower = word.toLowerCase();
    return error(
      isCommandKind(lower)
        ? `unknown command ${codeSpan(`/${word}`)}: commands are lower case, as in \`/${lower}\``
        : `unknown command ${codeSpan(`/${word}`)}`,
    );
  }
  const command = buildCommand(word, tokens.slice(1));
  return typeof command === "string" ? error(command) : { kind: "command", command };
}

/**
 * What makes a would-be command unreadable when it looks like one: punctuation glued to it, or
 * characters that are not ASCII letters (lookalikes, zero-width spaces), named by code point.
 */
function unusualCharacters(token: string): string {
  const unusual = [...new Set([...token.slice(1)].filter((char) => !/[A-Za-z0-9_-]/.test(char)))];
  const named = unusual
    .slice(0, 5)
    .map((char) => {
      const point = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
      return /^[\x21-\x7e]$/.test(char) ? `${codeSpan(char)} (${point})` : point;
    })
    .join(", ");
  return `: a command is / followed by ASCII letters, then a space before any argument, and this one has ${named}`;
}

function error(message: string): CommandParse {
  return { kind: "error", message };
}
