/** A signing key as it is stored: the private half sealed, the public half as a JWK. */
export interface StoredSigningKey {
  kid: string;
  publicJwk: Record<string, unknown>;
  sealedPrivateJwk: Buffer;
  createdAt: Date;
}

/** Where the OIDC issuer keeps its signing keys (src/store/signing-key-repository.ts). */
export interface SigningKeyStore {
  /** Every stored key, newest first. */
  all(): Promise<StoredSigningKey[]>;
  add(key: StoredSigningKey): Promise<void>;
  remove(kids: readonly string[]): Promise<void>;
}
