/** The message of anything thrown, for wrapping it with what was being done. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `code` of a thrown system error (`EEXIST`, `ENOTDIR`…), when it has one. */
export function codeOf(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}
