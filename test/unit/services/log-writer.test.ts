import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eventually } from "../../helpers/deliver.js";
import {
  createLogWriter,
  logTruncatedLine,
  MAX_PHASE_LOG_BYTES,
} from "../../../src/services/log-writer.js";
import { createMasker, MASK } from "../../../src/lib/redact.js";

function fakeRuns() {
  const stored: { stream: string; line: string }[] = [];
  return {
    stored,
    runs: {
      appendLog: async (
        _phaseId: string,
        lines: { stream: "stdout" | "stderr"; line: string }[],
      ) => {
        stored.push(...lines);
      },
    },
  };
}

describe("createLogWriter", () => {
  it("stores lines in order", async () => {
    const { stored, runs } = fakeRuns();
    const writer = createLogWriter(runs, "phase");
    writer.write("stdout", "one");
    writer.write("stderr", "two");
    await writer.flush();
    expect(stored).toEqual([
      { stream: "stdout", line: "one" },
      { stream: "stderr", line: "two" },
    ]);
  });

  it("retries a batch the database refused while it restarted, and stores it once", async () => {
    const { stored, runs } = fakeRuns();
    let refusals = 2;
    const writer = createLogWriter(
      {
        appendLog: async (phaseId, lines) => {
          if (refusals > 0) {
            refusals -= 1;
            throw new Error("connection terminated");
          }
          await runs.appendLog(phaseId, [...lines]);
        },
      },
      "phase",
    );
    writer.write("stdout", "kept");
    await writer.flush();
    expect(refusals).toBe(0);
    expect(stored).toEqual([{ stream: "stdout", line: "kept" }]);
  });

  it("caps a phase's log: past the limit one line says so and nothing more is stored", async () => {
    const { stored, runs } = fakeRuns();
    const writer = createLogWriter(runs, "phase", { maxBytes: 100 });
    for (let i = 0; i < 50; i++) writer.write("stdout", `line ${i} ${"x".repeat(10)}`);
    await writer.flush();
    writer.write("stdout", "after the cap");
    await writer.flush();
    expect(stored.at(-1)).toEqual({ stream: "stderr", line: logTruncatedLine(100) });
    expect(stored.filter((entry) => entry.line.startsWith("log truncated"))).toHaveLength(1);
    const kept = stored.slice(0, -1).reduce((sum, entry) => sum + entry.line.length + 1, 0);
    expect(kept).toBeLessThanOrEqual(100);
    expect(stored.some((entry) => entry.line === "after the cap")).toBe(false);
  });

  it("stores 16 MiB of a phase by default, counted in UTF-8 bytes", async () => {
    const { stored, runs } = fakeRuns();
    const writer = createLogWriter(runs, "phase");
    const line = "é".repeat(512 * 1024); // 1 MiB of UTF-8 in half as many characters
    for (let i = 0; i < 20; i++) writer.write("stdout", line);
    await writer.flush();
    expect(MAX_PHASE_LOG_BYTES).toBe(16 * 1024 * 1024);
    expect(stored).toHaveLength(16);
    expect(stored.at(-1)?.line).toBe(
      "log truncated: this phase printed more than 16 MiB; the rest of its log is not stored",
    );
  });
});

describe("createLogWriter with masking", () => {
  const pem = generateKeyPairSync("rsa", { modulusLength: 1024 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString()
    .trim()
    .split("\n");
  const masker = createMasker(["hunter22"]);

  it("masks each batch, and holds an open private key block back until it ends", async () => {
    const { stored, runs } = fakeRuns();
    const writer = createLogWriter(runs, "phase", {
      maskLines: (lines) => masker.maskLogLines(lines),
    });
    writer.write("stdout", "password hunter22");
    writer.write("stdout", pem[0]!);
    writer.write("stdout", pem[1]!);
    // The timer's flush comes while the key is half printed: only the line before it is stored.
    await eventually(async () => (stored.length > 0 ? true : undefined));
    expect(stored.map((entry) => entry.line)).toEqual([`password ${MASK}`]);
    for (const line of pem.slice(2)) writer.write("stdout", line);
    writer.write("stdout", "after");
    await writer.flush();
    expect(stored.map((entry) => entry.line)).toEqual([
      `password ${MASK}`,
      ...pem.map(() => MASK),
      "after",
    ]);
  });

  it("stores a key block that never ends as masked lines", async () => {
    const { stored, runs } = fakeRuns();
    const writer = createLogWriter(runs, "phase", {
      maskLines: (lines) => masker.maskLogLines(lines),
    });
    writer.write("stderr", "start");
    for (const line of pem.slice(0, 4)) writer.write("stderr", line);
    await writer.flush();
    expect(stored.map((entry) => entry.line)).toEqual(["start", MASK, MASK, MASK, MASK]);
  });
});
