import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runProcess } from "../../../src/runner/exec.js";

const base = { cwd: "/tmp", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeoutMs: 10_000 };

function isGone(pid: number): Promise<boolean> {
  // PID 1 here does not reap orphans: a killed process may linger as a zombie ("Z").
  return readFile(`/proc/${pid}/stat`, "utf8").then(
    (stat) => stat.split(" ")[2] === "Z",
    () => true,
  );
}

describe("runProcess", () => {
  it("gives the child only the environment it is handed", async () => {
    const result = await runProcess("sh", ["-c", "env | sort"], {
      ...base,
      env: { ...base.env, ONLY: "this" },
    });
    const names = result.stdout.split("\n").map((line) => line.split("=")[0]);
    expect(names).toContain("ONLY");
    expect(names).not.toContain("PRIVATE_KEY");
    expect(names).not.toContain("DATABASE_URL");
    expect(names).not.toContain("HOME");
  });

  it("streams lines while the process runs, from both streams", async () => {
    const seen: { stream: string; line: string; at: number }[] = [];
    const started = Date.now();
    const result = await runProcess("sh", ["-c", "echo one; sleep 0.4; echo two >&2; echo three"], {
      ...base,
      onLine: (stream, line) => seen.push({ stream, line, at: Date.now() - started }),
    });
    expect(result.exitCode).toBe(0);
    expect(seen.map(({ stream, line }) => [stream, line])).toEqual([
      ["stdout", "one"],
      ["stderr", "two"],
      ["stdout", "three"],
    ]);
    expect(seen[0]!.at).toBeLessThan(seen[1]!.at);
  });

  it("reports the exit code and output of a failing process", async () => {
    const result = await runProcess("sh", ["-c", "echo out; echo err >&2; exit 7"], base);
    expect(result).toMatchObject({
      exitCode: 7,
      stdout: "out",
      stderr: "err",
      stoppedBy: undefined,
    });
  });

  it("says when the executable does not exist", async () => {
    const result = await runProcess("/nonexistent/tofu", ["version"], base);
    expect(result.startError).toBe("/nonexistent/tofu: not found");
    expect(result.exitCode).toBeUndefined();
  });

  it("kills the whole tree on timeout, including a TERM-ignoring grandchild holding stdout", async () => {
    const started = Date.now();
    const result = await runProcess("sh", ["-c", "trap '' TERM; sleep 60 & echo $!; wait"], {
      ...base,
      timeoutMs: 300,
      graceMs: 200,
    });
    expect(result.stoppedBy).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    expect(await isGone(grandchild)).toBe(true);
  });

  it("stops on cancel", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runProcess("sleep", ["30"], {
      ...base,
      signal: controller.signal,
      graceMs: 100,
    });
    expect(result.stoppedBy).toBe("cancelled");
  });

  it("survives a 1 GB line: stops the process at the output limit and logs the line cut", async () => {
    const lines: string[] = [];
    const started = Date.now();
    const result = await runProcess(
      "sh",
      ["-c", "head -c 1073741824 /dev/zero | tr '\\0' 0; echo; echo never"],
      { ...base, maxOutputChars: 8 * 1024 * 1024, onLine: (stream, line) => lines.push(line) },
    );
    expect(result.outputLimitExceeded).toBe(true);
    expect(result.stdout).toHaveLength(8 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(lines.some((line) => line.includes("never"))).toBe(false);
    const cut = lines.find((line) => line.startsWith("000"));
    expect(cut).toMatch(/… \[line cut: \d+ more characters not logged\]$/);
    expect(cut!.length).toBeLessThan(70 * 1024);
  });
});
