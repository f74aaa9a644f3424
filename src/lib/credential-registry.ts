/**
 * Credentials that come and go while Bosun runs (installation tokens live an hour), kept until
 * they expire so that a phase started now masks every one still valid.
 */
export interface CredentialRegistry {
  /** Remembers `value` until `expiresAt` (forever when absent). */
  add(value: string, expiresAt?: Date): void;
  /** Every value not yet expired. */
  values(): string[];
}

export function createCredentialRegistry(
  fixed: readonly string[] = [],
  now: () => number = Date.now,
): CredentialRegistry {
  const expiring = new Map<string, number>();
  return {
    add(value, expiresAt) {
      if (value === "") return;
      expiring.set(value, expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    },
    values() {
      const at = now();
      for (const [value, expiry] of expiring) if (expiry <= at) expiring.delete(value);
      return [...fixed, ...expiring.keys()];
    },
  };
}
