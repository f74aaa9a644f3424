import { describe, expect, it } from "vitest";
import { describeEnvProblems, Env } from "../../../src/config/env.js";

const problemsFor = (env: Record<string, string>) => {
  const parsed = Env.safeParse(env);
  return parsed.success ? [] : describeEnvProblems(parsed.error);
};

describe("BOSUN_SANDBOX and BOSUN_SANDBOX_PATHS", () => {
  it("sandbox where possible, with no extra paths, by default", () => {
    expect(Env.parse({})).toMatchObject({ BOSUN_SANDBOX: "auto", BOSUN_SANDBOX_PATHS: [] });
  });

  it("takes auto, required and off", () => {
    for (const mode of ["auto", "required", "off"])
      expect(Env.parse({ BOSUN_SANDBOX: mode }).BOSUN_SANDBOX).toBe(mode);
    expect(problemsFor({ BOSUN_SANDBOX: "on" })).toEqual([
      "BOSUN_SANDBOX: must be auto, required or off",
    ]);
  });

  it("splits the paths on `:`, skipping empty entries", () => {
    expect(
      Env.parse({ BOSUN_SANDBOX_PATHS: "/opt/mirror::/etc/pki/extra/" }).BOSUN_SANDBOX_PATHS,
    ).toEqual(["/opt/mirror", "/etc/pki/extra"]);
  });

  it("refuses relative paths and /, naming them", () => {
    expect(problemsFor({ BOSUN_SANDBOX_PATHS: "mirror:/opt/ok:/" })).toEqual([
      "BOSUN_SANDBOX_PATHS: mirror: must be an absolute path",
      "BOSUN_SANDBOX_PATHS: / would show engines the whole host",
    ]);
  });
});
