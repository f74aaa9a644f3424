import { createMessage, readKeys, readSignature, verify, type PublicKey } from "openpgp";
import { checksumOf } from "../domain/engine-release.js";

/** A release file that is not what its vendor (or the operator's mirror) signed. */
export class ReleaseVerificationError extends Error {
  override readonly name = "ReleaseVerificationError";
}

/** The public keys in an armored keyring; `source` names it in the error. */
export async function readSigningKeys(armored: string, source: string): Promise<PublicKey[]> {
  try {
    return await readKeys({ armoredKeys: armored });
  } catch (error) {
    throw new Error(`reading the OpenPGP keys in ${source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Checks `signature` (a detached OpenPGP signature, binary as the vendors publish it, or armored)
 * over the SHA256SUMS file's exact bytes against `keys`; resolves to the signing key's fingerprint.
 */
export async function verifySumsSignature(options: {
  sums: Buffer;
  sumsName: string;
  signature: Buffer;
  signatureName: string;
  keys: PublicKey[];
}): Promise<string> {
  const { sums, sumsName, signatureName, keys } = options;
  const text = options.signature.toString("latin1");
  let signature;
  try {
    signature = text.startsWith("-----BEGIN PGP SIGNATURE-----")
      ? await readSignature({ armoredSignature: text })
      : await readSignature({ binarySignature: new Uint8Array(options.signature) });
  } catch (error) {
    throw new ReleaseVerificationError(
      `${signatureName} is not an OpenPGP signature: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    const result = await verify({
      message: await createMessage({ binary: new Uint8Array(sums) }),
      signature,
      verificationKeys: keys,
      expectSigned: true,
    });
    const [first] = result.signatures;
    if (!first) throw new Error("it holds no signature");
    const keyId = first.keyID;
    const key = keys.find((candidate) => candidate.getKeys(keyId).length > 0);
    return (key?.getFingerprint() ?? keyId.toHex()).toUpperCase();
  } catch (error) {
    throw new ReleaseVerificationError(
      `${signatureName} does not verify ${sumsName} with the trusted keys (${keys.map((key) => key.getFingerprint().toUpperCase()).join(", ")}): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Refuses an archive whose SHA-256 is not the one SHA256SUMS gives it. */
export function verifyArchiveChecksum(options: {
  sums: string;
  sumsName: string;
  archiveName: string;
  actual: string;
}): void {
  const expected = checksumOf(options.sums, options.archiveName);
  if (expected === undefined) {
    throw new ReleaseVerificationError(`${options.sumsName} lists no ${options.archiveName}`);
  }
  if (expected !== options.actual) {
    throw new ReleaseVerificationError(
      `${options.archiveName}: SHA-256 mismatch: ${options.sumsName} expects ${expected}, the download is ${options.actual}`,
    );
  }
}
