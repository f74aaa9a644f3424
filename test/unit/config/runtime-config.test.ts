import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  MAX_RUNTIME_CONFIG_BYTES,
  parseRuntimeConfig,
  runtimeConfigJsonSchema,
} from "../../../src/config/runtime-config.js";

const problemsOf = (text: string) => {
  const parsed = parseRuntimeConfig(text);
  if (parsed.ok) throw new Error("expected problems");
  return parsed.problems.map(({ path, line, message }) => ({ path, line, message }));
};

describe("a trigger's runtime config", () => {
  it("reads YAML and JSON alike", () => {
    const yaml = parseRuntimeConfig(
      'variables:\n  size: 3\n  tags: { team: infra }\nenv:\n  TF_LOG: info\ntargets:\n  - module.app["eu"].aws_s3_bucket.logs\nskip_apply: true\n',
    );
    const json = parseRuntimeConfig(
      '{"variables": {"size": 3, "tags": {"team": "infra"}}, "env": {"TF_LOG": "info"}, "targets": ["module.app[\\"eu\\"].aws_s3_bucket.logs"], "skip_apply": true}',
    );
    const expected = {
      variables: { size: 3, tags: { team: "infra" } },
      env: { TF_LOG: "info" },
      targets: ['module.app["eu"].aws_s3_bucket.logs'],
      skip_apply: true,
    };
    expect(yaml).toEqual({ ok: true, config: expected });
    expect(json).toEqual({ ok: true, config: expected });
  });

  it("is empty when nothing is given", () => {
    expect(parseRuntimeConfig("  \n")).toEqual({ ok: true, config: {} });
  });

  it("names every problem with its line", () => {
    expect(
      problemsOf(
        "variables:\n  BOSUN_SKIP_APPLYING: true\nenv:\n  BOSUN_WORKERS: '0'\n  TF_HTTP_PASSWORD: x\n  AWS_ROLE_ARN: arn\n  ok-not: x\ntargets: [-var=x]\nskip_apply: yes\nextra: 1\n",
      ),
    ).toEqual([
      {
        path: "variables.BOSUN_SKIP_APPLYING",
        line: 2,
        message: "BOSUN_* names are Bosun's own",
      },
      {
        path: "env.BOSUN_WORKERS",
        line: 4,
        message: "is set by Bosun for every engine run (BOSUN_*, TF_HTTP_*, cloud identity, …)",
      },
      {
        path: "env.TF_HTTP_PASSWORD",
        line: 5,
        message: "is set by Bosun for every engine run (BOSUN_*, TF_HTTP_*, cloud identity, …)",
      },
      {
        path: "env.AWS_ROLE_ARN",
        line: 6,
        message: "is set by Bosun for every engine run (BOSUN_*, TF_HTTP_*, cloud identity, …)",
      },
      {
        path: "env.ok-not",
        line: 7,
        message: "must be an environment variable name (letters, digits, _)",
      },
      {
        path: "targets[0]",
        line: 8,
        message: expect.stringContaining("is not a resource address") as string,
      },
      { path: "skip_apply", line: 9, message: "Invalid input: expected boolean, received string" },
      { path: "extra", line: 10, message: 'unknown key "extra"' },
    ]);
  });

  it("refuses broken YAML and oversized documents at their line", () => {
    expect(problemsOf("variables: {a: 1\n")[0]).toMatchObject({ line: 2 });
    expect(problemsOf(`# ${"x".repeat(MAX_RUNTIME_CONFIG_BYTES)}\n`)).toEqual([
      {
        path: "",
        line: undefined,
        message: `the runtime config is ${MAX_RUNTIME_CONFIG_BYTES + 3} bytes; the limit is ${MAX_RUNTIME_CONFIG_BYTES}`,
      },
    ]);
    expect(problemsOf("- a\n- b\n")).toEqual([
      { path: "", line: 1, message: "Invalid input: expected object, received array" },
    ]);
  });

  it("matches the committed schema/runtime-config.schema.json", () => {
    expect(
      JSON.parse(
        readFileSync(
          new URL("../../../schema/runtime-config.schema.json", import.meta.url),
          "utf8",
        ),
      ),
      "schema/runtime-config.schema.json is stale: run npx tsx scripts/generate-config-schema.ts",
    ).toEqual(runtimeConfigJsonSchema());
  });
});
