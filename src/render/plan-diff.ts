// The change markers of the engines' human-readable plan, after leading indentation. `<=` (read)
// and `#` (comments) are left alone: they are context, not changes.
const marker = /^(\s*)(-\/\+|\+\/-|[-+~])(?= |$)/;

/**
 * A rendered plan rearranged for a ```diff block, so GitHub colours additions, deletions and
 * changes: the engine indents its markers (`  + resource`), and diff highlighting only looks at
 * the first column. Each marker moves to column one (`~`, `-/+` and `+/-` become `!`, which diff
 * highlighting shows as a change) and the indentation follows it, so every line keeps its length
 * and alignment. Atlantis does the same (`--enable-diff-markdown-format`).
 */
export function planDiff(planText: string): string {
  return planText
    .split("\n")
    .map((line) => {
      const match = marker.exec(line);
      if (match === null) return line;
      const [whole, indent = "", sign = ""] = match;
      const first = sign === "+" || sign === "-" ? sign : "!";
      return `${first}${indent}${" ".repeat(sign.length - 1)}${line.slice(whole.length)}`;
    })
    .join("\n");
}
