import { describe, expect, it } from "vitest";
import { engineEnvironment } from "../../../src/runner/engine-environment.js";

const host = {
  PATH: "/usr/bin",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----",
  DATABASE_URL: "postgres://bosun:pw@db/bosun",
  AWS_PROFILE: "infra-admin",
  AWS_CONFIG_FILE: "/etc/bosun/aws-config",
  HOME: "/root",
};

const environment = (passthrough: readonly string[]) =>
  engineEnvironment({
    host,
    passthrough,
    home: "/work/ws-1/home",
    variables: { region: "eu-west-1" },
    secrets: { AWS_SECRET_ACCESS_KEY: "s3cr3t" },
    extra: { TF_HTTP_PASSWORD: "state-credential" },
  });

describe("engineEnvironment", () => {
  it("gives the engine the fixed host variables and Bosun's own settings, nothing else of the host", () => {
    expect(environment([])).toEqual({
      PATH: "/usr/bin",
      HOME: "/work/ws-1/home",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      TF_VAR_region: "eu-west-1",
      AWS_SECRET_ACCESS_KEY: "s3cr3t",
      TF_HTTP_PASSWORD: "state-credential",
    });
  });

  it("adds the host variables the operator passes through, when the host has them", () => {
    const env = environment(["AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_REGION"]);
    expect(env).toMatchObject({
      AWS_PROFILE: "infra-admin",
      AWS_CONFIG_FILE: "/etc/bosun/aws-config",
    });
    expect(env).not.toHaveProperty("AWS_REGION");
    expect(env).not.toHaveProperty("PRIVATE_KEY");
    expect(env).not.toHaveProperty("DATABASE_URL");
  });

  it("keeps what Bosun sets over a passed-through host variable of the same name", () => {
    // Refused at start (src/config/engine-passthrough.ts); the order holds even if one slipped by.
    expect(environment(["HOME", "TF_HTTP_PASSWORD"])).toMatchObject({
      HOME: "/work/ws-1/home",
      TF_HTTP_PASSWORD: "state-credential",
    });
  });
});
