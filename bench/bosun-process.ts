/*
 * A Bosun process the way an operator starts one (`bosun web`, `bosun worker`, `bosun start`), for
 * the benchmarks that measure across process boundaries: on a 2-core machine the load generator
 * and the measured server must not share one event loop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface BosunProcess {
  child: ChildProcess;
  /** SIGTERM (graceful shutdown), then SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnBosun(
  command: "web" | "worker" | "start",
  env: Record<string, string>,
): BosunProcess {
  // BENCH_NODE_ARGS profiles the measured process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", CLI, command], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    // Logs at the operator's level go nowhere: writing them is part of the cost, reading them not.
    stdio: ["ignore", "ignore", "inherit"],
  });
  return {
    child,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 200; fails when the process exits or after `timeoutMs`. */
export async function waitUntilReady(
  bosun: BosunProcess,
  url: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (bosun.child.exitCode !== null) {
      throw new Error(`bosun exited with code ${bosun.child.exitCode} before ${url} answered`);
    }
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
