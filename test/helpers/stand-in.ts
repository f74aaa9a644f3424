import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The stand-in engine executables (test/stand-in), faithful to the CLI contract. */
export const STAND_IN_TOFU = fileURLToPath(new URL("../stand-in/bin/tofu", import.meta.url));
export const STAND_IN_TERRAFORM = fileURLToPath(
  new URL("../stand-in/bin/terraform", import.meta.url),
);

/**
 * What a sandboxed stand-in needs to see besides its wrapper (BOSUN_SANDBOX_PATHS): its script
 * and the node_modules it imports (@cdktn/hcl2json), read-only.
 */
export const STAND_IN_SANDBOX_PATHS = [
  fileURLToPath(new URL("../stand-in", import.meta.url)),
  fileURLToPath(new URL("../../node_modules", import.meta.url)),
].join(":");

/**
 * An engine executable that is the stand-in with some of its test knobs set (STANDIN_DELAY_MS,
 * STANDIN_CRASH, …): a wrapper script, so Bosun starts it like any engine binary and never
 * passes those variables itself.
 */
export async function standInWith(
  knobs: Record<string, string>,
  flavour: "tofu" | "terraform" = "tofu",
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-engine-"));
  const file = path.join(dir, flavour);
  const exports = Object.entries(knobs)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", "'\\''")}'`)
    .join("\n");
  await writeFile(
    file,
    `#!/bin/sh\n${exports}\nexec '${flavour === "tofu" ? STAND_IN_TOFU : STAND_IN_TERRAFORM}' "$@"\n`,
  );
  await chmod(file, 0o755);
  // Reachable by the account a sandboxed engine is started as when tests run as root.
  await chmod(dir, 0o755);
  return file;
}

/** One engine invocation the stand-in recorded under STANDIN_LOG: its arguments and env names. */
export interface EngineInvocation {
  argv: string[];
  env: string[];
  /** The AWS web identity the engine was handed, when it was handed one. */
  aws?: { roleArn: string; sessionName: string; tokenFile: string; token: string };
  /** The Azure OIDC settings (ARM_*) and the token file's content. */
  azure?: {
    useOidc: string;
    clientId: string;
    tenantId: string;
    subscriptionId: string;
    tokenFile: string;
    token: string;
  };
  /** Google's external-account credential file, parsed, and the subject token it points at. */
  gcp?: {
    credentialsFile: string;
    credentials: {
      type: string;
      audience: string;
      subject_token_type: string;
      credential_source: { file: string };
      service_account_impersonation_url?: string;
    };
    token: string;
  };
}

/**
 * A loopback server the stand-in reports its invocations to (STANDIN_REPORT_URL): the only way a
 * sandboxed engine, which writes nowhere outside its workspace, can tell a test what it received.
 */
export async function startInvocationRecorder(): Promise<{
  url: string;
  invocations: EngineInvocation[];
  close(): Promise<void>;
}> {
  const { createServer } = await import("node:http");
  const invocations: EngineInvocation[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      invocations.push(JSON.parse(body) as EngineInvocation);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/invocations`,
    invocations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The invocations recorded in a STANDIN_LOG file, oldest first; none when it does not exist yet. */
export async function engineInvocations(logFile: string): Promise<EngineInvocation[]> {
  const text = await readFile(logFile, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as EngineInvocation);
}

/** The stand-in Terragrunt: it runs TERRAGRUNT_TFPATH with its arguments (CLI-CONTRACT.md). */
export const STAND_IN_TERRAGRUNT = fileURLToPath(
  new URL("../stand-in/bin/terragrunt", import.meta.url),
);
