import { describe, expect, it } from "vitest";
import { managedBackend } from "../../../src/state/backend-wiring.js";

const componentId = "6f1c2a52-5b1e-4a8e-9d3c-0c7b2e1f4a10";

describe("managedBackend", () => {
  it("points a write credential at one component's address, with locking", () => {
    const backend = managedBackend({
      stateUrl: "https://bosun.example.com/",
      componentId,
      credential: { username: "user-1", password: "s3cret", access: "write" },
    });
    const address = `https://bosun.example.com/state/${componentId}`;
    expect(backend).toEqual({
      overrideFileName: "bosun_backend_override.tf",
      overrideContent: 'terraform {\n  backend "http" {}\n}\n',
      env: {
        TF_HTTP_ADDRESS: address,
        TF_HTTP_UPDATE_METHOD: "POST",
        TF_HTTP_LOCK_ADDRESS: address,
        TF_HTTP_LOCK_METHOD: "LOCK",
        TF_HTTP_UNLOCK_ADDRESS: address,
        TF_HTTP_UNLOCK_METHOD: "UNLOCK",
        TF_HTTP_USERNAME: "user-1",
        TF_HTTP_PASSWORD: "s3cret",
      },
      secrets: ["s3cret"],
    });
  });

  it("leaves the lock addresses out for a read credential, which turns engine locking off", () => {
    const backend = managedBackend({
      stateUrl: "http://localhost:3000",
      componentId,
      credential: { username: "user-2", password: "p", access: "read" },
    });
    expect(backend.env).toEqual({
      TF_HTTP_ADDRESS: `http://localhost:3000/state/${componentId}`,
      TF_HTTP_UPDATE_METHOD: "POST",
      TF_HTTP_USERNAME: "user-2",
      TF_HTTP_PASSWORD: "p",
    });
    expect(backend.secrets).toEqual(["p"]);
  });

  it("never puts the password in the override file", () => {
    const backend = managedBackend({
      stateUrl: "http://localhost:3000",
      componentId,
      credential: { username: "u", password: "do-not-write-me", access: "write" },
    });
    expect(backend.overrideContent).not.toContain("do-not-write-me");
  });
});
