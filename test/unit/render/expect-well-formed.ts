import { expect } from "vitest";

/**
 * What GitHub would render wrong: a code block left open (each must be closed by a fence as long
 * as the one that opened it), or a `<details>` outside code left unclosed.
 */
export function expectWellFormed(markdown: string): void {
  const outside: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const match = /^(`{3,})\w*$/.exec(line);
    if (fence === undefined) {
      if (match !== null) fence = match[1];
      else outside.push(line);
    } else if (line === fence) {
      fence = undefined;
    }
  }
  expect(fence, "every code block is closed").toBeUndefined();
  const text = outside.join("\n");
  expect(text.match(/<details( open)?>/g)?.length ?? 0, "every <details> is closed").toBe(
    text.match(/^<\/details>$/gm)?.length ?? 0,
  );
}
