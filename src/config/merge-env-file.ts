import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, rm, writeFile } from "node:fs/promises";
import { parseEnv } from "node:util";

/** The .env already sets some of the variables: they are never overwritten. */
export class EnvFileConflictError extends Error {
  override readonly name = "EnvFileConflictError";
  constructor(
    readonly file: string,
    readonly variables: string[],
  ) {
    super(`${file} already sets ${variables.join(", ")}; remove them to register another App`);
  }
}

/**
 * Adds `values` to a dotenv file (created when missing), mode 0600 since it holds credentials.
 * The other lines stay as they are; a variable the file already sets to something is refused,
 * not replaced, so a second registration cannot silently swap the App a checkout runs as.
 * Values are written double-quoted with newlines as `\n`, which Node's own parser
 * (`process.loadEnvFile`, `util.parseEnv`) and dotenv read back the same.
 */
export async function mergeEnvFile(
  file: string,
  values: Readonly<Record<string, string>>,
  comment: string,
): Promise<void> {
  const existing = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const current = parseEnv(existing);
  const names = Object.keys(values);
  const taken = names.filter((name) => (current[name] ?? "") !== "");
  if (taken.length > 0) throw new EnvFileConflictError(file, taken);

  // Lines that set one of them to nothing would be read after ours is appended: dropped.
  const empty = new RegExp(`^\\s*(?:export\\s+)?(?:${names.join("|")})\\s*=\\s*(?:""|'')?\\s*$`);
  const kept = existing.split("\n").filter((line) => !empty.test(line));
  while (kept.length > 0 && kept.at(-1) === "") kept.pop();
  const block = [
    `# ${comment}`,
    ...Object.entries(values).map(([name, value]) => envLine(name, value)),
  ];
  const text = `${[...kept, ...(kept.length > 0 ? [""] : []), ...block].join("\n")}\n`;

  // Whole or not at all: a crash never leaves a .env with half the credentials.
  const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: "wx" });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** `NAME="value"` as mergeEnvFile writes it: one line, newlines as `\n`. */
export function envLine(name: string, value: string): string {
  if (/["\\\r\0]/.test(value)) {
    throw new Error(`${name}: a value with quotes or backslashes cannot be written to a .env`);
  }
  return `${name}="${value.replace(/\n/g, "\\n")}"`;
}
