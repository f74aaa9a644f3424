import { readFile } from "node:fs/promises";
import type { PublicKey } from "openpgp";
import type { EngineKind } from "../domain/engine-kind.js";
import { readSigningKeys } from "./verify-release.js";

/**
 * The vendors' release signing keys, kept in the repository's keys/engines (docs/security.md
 * "Engine binaries" gives their fingerprints and where they came from): HashiCorp's
 * C874 011F 0AB4 0511 0D02 1055 3436 5D94 72D7 468F and OpenTofu's
 * E3E6 E43D 84CB 852E ADB0 051D 0C0A F313 E5FD 9F80.
 */
const VENDOR_KEY_FILE: Record<EngineKind, string> = {
  terraform: "hashicorp.asc",
  opentofu: "opentofu.asc",
};

/**
 * The keys each engine's SHA256SUMS must be signed by: the operator's keyring
 * (BOSUN_ENGINE_SIGNING_KEYS) for both when given, which replaces the vendors' keys because a
 * mirror that re-signs serves no vendor signature; else each vendor's own.
 */
export async function engineSigningKeys(
  operatorKeys: string | undefined,
): Promise<Record<EngineKind, PublicKey[]>> {
  if (operatorKeys !== undefined) {
    const keys = await readSigningKeys(operatorKeys, "BOSUN_ENGINE_SIGNING_KEYS");
    return { opentofu: keys, terraform: keys };
  }
  const vendor = async (kind: EngineKind) => {
    // src/runner and dist/runner both sit two levels below the directory holding keys/.
    const file = new URL(`../../keys/engines/${VENDOR_KEY_FILE[kind]}`, import.meta.url);
    return readSigningKeys(await readFile(file, "utf8"), file.pathname);
  };
  return { opentofu: await vendor("opentofu"), terraform: await vendor("terraform") };
}
