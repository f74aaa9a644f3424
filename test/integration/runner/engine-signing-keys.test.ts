import { describe, expect, it } from "vitest";
import { engineSigningKeys } from "../../../src/runner/engine-signing-keys.js";
import { testSigningKey } from "../../helpers/engine-mirror.js";

const fingerprints = (keys: { getFingerprint(): string }[]) =>
  keys.map((key) => key.getFingerprint().toUpperCase());

describe("the keys engine releases are verified against", () => {
  it("are the vendors' release signing keys kept in keys/engines", async () => {
    const keys = await engineSigningKeys(undefined);
    expect(fingerprints(keys.terraform)).toEqual(["C874011F0AB405110D02105534365D9472D7468F"]);
    expect(fingerprints(keys.opentofu)).toEqual(["E3E6E43D84CB852EADB0051D0C0AF313E5FD9F80"]);
  });

  it("are the operator's keyring alone, for both engines, when BOSUN_ENGINE_SIGNING_KEYS is set", async () => {
    const mirror = await testSigningKey("Mirror");
    const keys = await engineSigningKeys(mirror.armoredPublicKey);
    const expected = [mirror.privateKey.getFingerprint().toUpperCase()];
    expect(fingerprints(keys.terraform)).toEqual(expected);
    expect(fingerprints(keys.opentofu)).toEqual(expected);
  });

  it("refuses a keyring that does not parse, naming the variable", async () => {
    await expect(
      engineSigningKeys(
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64!\n-----END PGP PUBLIC KEY BLOCK-----\n",
      ),
    ).rejects.toThrow("reading the OpenPGP keys in BOSUN_ENGINE_SIGNING_KEYS: ");
  });
});
