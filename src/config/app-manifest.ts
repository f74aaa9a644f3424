import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";

/** `app.yml` at the repository's root, found the same way from src/ and from dist/. */
export const APP_MANIFEST_FILE = fileURLToPath(new URL("../../app.yml", import.meta.url));

const PermissionLevel = z.enum(["read", "write", "admin"]);

/**
 * The fields of `app.yml` the manifest flow sends to GitHub
 * (https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest#github-app-manifest-parameters).
 * `hook_attributes.url` is not read: the flow derives it from BOSUN_PUBLIC_URL.
 */
export const AppManifestFile = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  url: z.url(),
  public: z.boolean().default(false),
  default_events: z.array(z.string().min(1)),
  default_permissions: z.record(z.string(), PermissionLevel),
});
export type AppManifestFile = z.infer<typeof AppManifestFile>;

/** Reads and checks `app.yml`; the error names the file and every bad field. */
export async function readAppManifest(file = APP_MANIFEST_FILE): Promise<AppManifestFile> {
  const parsed = AppManifestFile.safeParse(parse(await readFile(file, "utf8")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new Error(`${file} is not a usable GitHub App manifest: ${problems.join("; ")}`);
  }
  return parsed.data;
}
