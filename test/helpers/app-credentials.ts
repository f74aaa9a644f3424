import { generateKeyPairSync } from "node:crypto";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** A throwaway GitHub App identity for tests. */
export const testApp = { appId: "123", privateKey, webhookSecret: "test-webhook-secret" } as const;
