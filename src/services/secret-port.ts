export interface SecretStore {
  /** Decrypted secrets of a stack that the phase may see, by variable name. */
  forPhase(
    repositoryId: number,
    stackName: string,
    phase: "plan" | "apply",
  ): Promise<Record<string, string>>;
}
