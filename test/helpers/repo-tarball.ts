import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { create } from "tar";

/**
 * A gzip tarball shaped like GitHub's repository archives: every entry under one
 * `owner-repo-sha/` folder. `files` maps repo-relative paths to contents.
 */
export async function repoTarball(
  files: Record<string, string>,
  prefix = "acme-infra-0123abc",
): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bosun-tarball-"));
  try {
    for (const [relative, content] of Object.entries(files)) {
      const target = path.join(dir, prefix, relative);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    const chunks: Buffer[] = [];
    const stream = create({ gzip: true, cwd: dir, portable: true }, [prefix]);
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
