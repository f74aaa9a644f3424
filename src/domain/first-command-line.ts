/**
 * The first line that is neither blank, nor quoted, nor inside a fenced code block (CommonMark:
 * a fence closes with the same character, at least as many times, and nothing else on the line;
 * an unclosed fence runs to the end).
 */
export function firstCommandLine(body: string): string | undefined {
  let fence: string | undefined;
  for (const raw of body.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (fence !== undefined) {
      const closing = /^(`{3,}|~{3,})$/.exec(line)?.[1];
      if (closing !== undefined && closing[0] === fence[0] && closing.length >= fence.length) {
        fence = undefined;
      }
      continue;
    }
    const opening = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (opening !== undefined) {
      fence = opening;
      continue;
    }
    if (line === "" || line.startsWith(">")) continue;
    return line;
  }
  return undefined;
}
