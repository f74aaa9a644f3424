export interface SecretStore {
  /**
   * Decrypted secrets one phase of one component receives, by variable name: its environment's
   * own, and the stack-wide ones it does not override when `stackWide` (the rule is
   * src/domain/pick-component-secrets.ts).
   */
  forPhase(
    repositoryId: number,
    stackName: string,
    environment: string,
    phase: "plan" | "apply",
    options: { stackWide: boolean },
  ): Promise<Record<string, string>>;
}
