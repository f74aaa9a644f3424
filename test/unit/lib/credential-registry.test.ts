import { describe, expect, it } from "vitest";
import { createCredentialRegistry } from "../../../src/lib/credential-registry.js";

describe("createCredentialRegistry", () => {
  it("keeps fixed values, and added ones until they expire", () => {
    let now = 1_000;
    const registry = createCredentialRegistry(["webhook-secret"], () => now);
    registry.add("ghs_first", new Date(2_000));
    registry.add("forever");
    registry.add("");
    expect(registry.values()).toEqual(["webhook-secret", "ghs_first", "forever"]);
    now = 2_000;
    expect(registry.values()).toEqual(["webhook-secret", "forever"]);
  });
});
