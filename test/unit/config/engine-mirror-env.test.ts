import { describe, expect, it } from "vitest";
import { describeEnvProblems, Env } from "../../../src/config/env.js";

const problemsFor = (env: Record<string, string>) => {
  const parsed = Env.safeParse(env);
  return parsed.success ? [] : describeEnvProblems(parsed.error);
};

describe("BOSUN_ENGINE_MIRROR", () => {
  it.each([
    [{}, { kind: "official" }],
    [{ BOSUN_ENGINE_MIRROR: " " }, { kind: "official" }],
    [{ BOSUN_ENGINE_MIRROR: "off" }, { kind: "off" }],
    [
      { BOSUN_ENGINE_MIRROR: "https://mirror.example.com/engines/" },
      { kind: "mirror", url: "https://mirror.example.com/engines" },
    ],
    [
      { BOSUN_ENGINE_MIRROR: "http://10.0.0.5:8080" },
      { kind: "mirror", url: "http://10.0.0.5:8080" },
    ],
  ])("reads %j", (env, mirror) => {
    expect(Env.parse(env).BOSUN_ENGINE_MIRROR).toEqual(mirror);
  });

  it.each(["ftp://mirror.example.com", "mirror.example.com", "none"])("refuses %s", (value) => {
    expect(problemsFor({ BOSUN_ENGINE_MIRROR: value })).toEqual([
      "BOSUN_ENGINE_MIRROR: must be off or the http(s) URL of a mirror of the engines' releases",
    ]);
  });
});
