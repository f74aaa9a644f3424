import { z } from "zod";

/**
 * What apply needs from plan, beyond the source at the same commit: the plan file itself, the
 * dependency lock file and the inputs plan was rendered with. Serialised as JSON (base64 file
 * contents) and sealed by the caller.
 */
export const SavedWorkspace = z.object({
  version: z.literal(1),
  planFile: z.base64(),
  lockFile: z.base64().optional(),
  varFiles: z.array(z.string()),
  inputs: z.record(z.string(), z.unknown()),
  /** The BOSUN_ENGINE_DIR version plan ran on: apply runs on it too, whatever is installed since. */
  engineVersion: z.string().optional(),
});
export type SavedWorkspace = z.infer<typeof SavedWorkspace>;

export function packSavedWorkspace(input: {
  planFile: Buffer;
  lockFile: Buffer | undefined;
  varFiles: string[];
  inputs: Record<string, unknown>;
  engineVersion?: string | undefined;
}): Buffer {
  const saved: SavedWorkspace = {
    version: 1,
    planFile: input.planFile.toString("base64"),
    ...(input.lockFile ? { lockFile: input.lockFile.toString("base64") } : {}),
    varFiles: input.varFiles,
    inputs: input.inputs,
    ...(input.engineVersion === undefined ? {} : { engineVersion: input.engineVersion }),
  };
  return Buffer.from(JSON.stringify(saved));
}

export function unpackSavedWorkspace(bytes: Buffer): {
  planFile: Buffer;
  lockFile: Buffer | undefined;
  varFiles: string[];
  inputs: Record<string, unknown>;
  engineVersion: string | undefined;
} {
  const saved = SavedWorkspace.parse(JSON.parse(bytes.toString("utf8")));
  return {
    planFile: Buffer.from(saved.planFile, "base64"),
    lockFile: saved.lockFile === undefined ? undefined : Buffer.from(saved.lockFile, "base64"),
    varFiles: saved.varFiles,
    inputs: saved.inputs,
    engineVersion: saved.engineVersion,
  };
}
