import { type ChildProcess, spawn } from "node:child_process";
import { testApp } from "./app-credentials.js";
import { bosunArguments } from "./bosun-cli.js";
import { scratchDatabase, type ScratchDatabase } from "./databases.js";
import { STAND_IN_SANDBOX_PATHS } from "./stand-in.js";

/** A `bosun worker` process of its own, as an operator starts one on another machine. */
export interface WorkerProcess {
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  cleanup(): Promise<void>;
}

export async function startWorkerProcess(options: {
  databaseUrl: string;
  encryptionKey: string;
  publicUrl: string;
  githubHost: string;
  engine: string;
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  const dataDir: ScratchDatabase = await scratchDatabase("pglite");
  const child: ChildProcess = spawn(process.execPath, bosunArguments(["worker"]), {
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: options.databaseUrl,
      BOSUN_DATA_DIR: dataDir.dataDir,
      BOSUN_ENCRYPTION_KEY: options.encryptionKey,
      BOSUN_PUBLIC_URL: options.publicUrl,
      BOSUN_TOFU_BIN: options.engine,
      BOSUN_WORKERS: "1",
      BOSUN_SANDBOX_PATHS: STAND_IN_SANDBOX_PATHS,
      APP_ID: testApp.appId,
      PRIVATE_KEY: testApp.privateKey,
      WEBHOOK_SECRET: testApp.webhookSecret,
      GHE_HOST: options.githubHost,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return {
    pid: child.pid!,
    exited,
    kill: (signal) => child.kill(signal),
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      await dataDir.drop();
    },
  };
}
