import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

/**
 * Development's `.env` in the working directory, where the App setup writes the credentials it
 * registered: read with Node's own dotenv parser (`util.parseEnv`, no dependency) into `env`,
 * never over a variable `env` already sets. Production reads the environment alone, as a
 * container platform sets it. Returns the file read, if any.
 */
export function loadDevelopmentEnvFile(env: NodeJS.ProcessEnv, file = ".env"): string | undefined {
  if (env.NODE_ENV === "production") return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`reading ${path.resolve(file)}`, { cause: error });
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] === undefined && value !== undefined) env[name] = value;
  }
  return path.resolve(file);
}
