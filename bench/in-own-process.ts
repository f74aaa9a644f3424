import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs one benchmark function in a Node process of its own and returns its figures: a process's
 * peak RSS never goes down, so a memory figure taken after other benchmarks would be theirs too.
 * The child's own output goes through; its figures come back on a line of their own.
 */
export async function inOwnProcess(
  moduleUrl: URL,
  exportName: string,
): Promise<Record<string, number>> {
  const marker = "BENCH-FIGURES ";
  const script = `const m = await import(${JSON.stringify(fileURLToPath(moduleUrl))});
const figures = await m[${JSON.stringify(exportName)}]();
console.log(${JSON.stringify(marker)} + JSON.stringify(figures));`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    output += text;
    process.stdout.write(
      text
        .split("\n")
        .filter((line) => !line.startsWith(marker))
        .join("\n"),
    );
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const line = output.split("\n").find((candidate) => candidate.startsWith(marker));
  if (code !== 0 || !line) throw new Error(`benchmark ${exportName} failed (exit ${code})`);
  return JSON.parse(line.slice(marker.length)) as Record<string, number>;
}
