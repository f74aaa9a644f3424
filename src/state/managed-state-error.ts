/** A managed-state call made wrongly (a programming error, not a refusal of the engine's request). */
export class ManagedStateError extends Error {
  override readonly name = "ManagedStateError";
  constructor(
    readonly code: "invalid-argument",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
