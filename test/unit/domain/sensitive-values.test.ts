import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { PlanInput, SensitiveMask } from "../../../src/domain/plan-input.js";
import {
  collectSensitiveValues,
  containsSensitive,
  maskSensitive,
  SENSITIVE_PLACEHOLDER,
} from "../../../src/domain/sensitive-values.js";
import { parsePlanJson } from "../../../src/runner/plan-json.js";

const fixtureDir = new URL("../../fixtures/plan-json/", import.meta.url);
const loadPlan = (name: string) => parsePlanJson(readFileSync(new URL(name, fixtureDir), "utf8"));

// The plan JSON holds sensitive values in plain text and only flags them.
const sensitiveByFixture: Record<string, string[]> = {
  "terraform-1.14.6_data-source-read-update-replace.json": [],
  "terraform-1.14.6_moved-import-forget.json": [],
  "terraform-1.14.9_no-changes.json": [],
  "terraform-1.14.9_replace-delete-update-check.json": [],
  "terraform-1.15.0_replace-tainted.json": [],
  "tofu-1.11.5_modules_replace-delete-create-outputs-update.json": [],
  // `content` before and after, the sensitive output's prior value, and the sensitive variable
  // (the same string as the new content).
  "tofu-1.11.5_sensitive-replace-sensitive-output.json": [
    "8ed8462ae2d0cac83f45c1288b82946d",
    "initial-secret-value",
    "updated-secret-value",
  ],
  // `contents` is sensitive in both the planned change and the drift entry.
  "tofu-1.11.6_drift-update.json": ["externally-modified-content\n", "original-content"],
  "tofu-equivalence_complex-nested-update-normalized_LARGEST.json": [],
  "tofu-equivalence_destroy-mode-complex-normalized.json": [],
};

describe("collectSensitiveValues on the real plans", () => {
  it("has an expectation for every fixture on disk", () => {
    const onDisk = readdirSync(fixtureDir).filter((name) => name.endsWith(".json"));
    expect(onDisk.sort()).toEqual(Object.keys(sensitiveByFixture).sort());
  });

  it.each(Object.entries(sensitiveByFixture))("collects from %s", (name, expected) => {
    expect(collectSensitiveValues(loadPlan(name))).toEqual(expected);
  });

  it.each(Object.keys(sensitiveByFixture))(
    "leaves no value a resource marks sensitive in its masked form: %s",
    (name) => {
      const plan = loadPlan(name);
      for (const resource of [...plan.resource_changes, ...plan.resource_drift]) {
        const { before, after, before_sensitive, after_sensitive } = resource.change;
        for (const [value, mask] of [
          [before, before_sensitive],
          [after, after_sensitive],
        ] as const) {
          const secrets = collectSensitiveValues({
            resource_changes: [
              {
                ...resource,
                change: { actions: ["no-op"], before: value, before_sensitive: mask },
              },
            ],
          });
          const masked = JSON.stringify(maskSensitive(value, mask));
          for (const secret of secrets) expect(masked).not.toContain(JSON.stringify(secret));
          if (!containsSensitive(mask)) expect(maskSensitive(value, mask)).toEqual(value);
        }
      }
    },
  );

  it("masks the sensitive fixture the way the engine prints it", () => {
    const plan = loadPlan("tofu-1.11.5_sensitive-replace-sensitive-output.json");
    const change = plan.resource_changes[0]?.change;
    expect(maskSensitive(change?.after, change?.after_sensitive)).toEqual({
      content: SENSITIVE_PLACEHOLDER,
      content_base64: SENSITIVE_PLACEHOLDER,
      directory_permission: "0700",
      file_permission: "0700",
      filename: "./output/secret.txt",
      source: null,
    });
    const output = plan.output_changes["secret_checksum"];
    expect(maskSensitive(output?.before, output?.before_sensitive)).toBe(SENSITIVE_PLACEHOLDER);
  });
});

describe("collectSensitiveValues", () => {
  const resource = (
    before: unknown,
    before_sensitive: SensitiveMask,
    after: unknown = null,
    after_sensitive: SensitiveMask = false,
  ): PlanInput => ({
    resource_changes: [
      {
        address: "x.y",
        mode: "managed",
        type: "x",
        change: { actions: ["update"], before, after, before_sensitive, after_sensitive },
      },
    ],
  });

  it.each<[string, PlanInput, string[]]>([
    ["nothing from an empty plan", {}, []],
    ["nothing unmarked", resource({ a: "x" }, false, { a: "y" }, {}), []],
    ["a marked attribute", resource({ a: "x", b: "open" }, { a: true }), ["x"]],
    [
      "before and after",
      resource({ a: "old" }, { a: true }, { a: "new" }, { a: true }),
      ["new", "old"],
    ],
    [
      "every leaf of a marked object",
      resource({ a: { b: "1", c: ["2", { d: "3" }] } }, { a: true }),
      ["1", "2", "3"],
    ],
    [
      "list elements by position",
      resource({ l: ["open", "secret", "open2"] }, { l: [false, true, {}] }),
      ["secret"],
    ],
    [
      "nested blocks",
      resource({ b: [{ k: "open", s: "hidden" }] }, { b: [{ s: true }] }),
      ["hidden"],
    ],
    [
      "numbers in their JSON spelling",
      resource({ port: 5432, ratio: 0.5 }, { port: true, ratio: true }),
      ["5432", "0.5"],
    ],
    [
      "no booleans, nulls or empty strings",
      resource({ a: true, b: null, c: "" }, { a: true, b: true, c: true }),
      [],
    ],
    [
      "the whole value when the mask does not fit it",
      resource("flat-secret", { nested: true }),
      ["flat-secret"],
    ],
    ["nothing when an ill-fitting mask marks nothing", resource("flat", { nested: false }), []],
    [
      "longest first, without duplicates",
      resource({ a: "ab", b: "abcd", c: "ab", d: "abc" }, true),
      ["abcd", "abc", "ab"],
    ],
    [
      "sensitive outputs",
      {
        output_changes: {
          token: {
            actions: ["update"],
            before: "tok-1",
            after: "tok-2",
            before_sensitive: true,
            after_sensitive: true,
          },
          plain: {
            actions: ["update"],
            before: "p1",
            after: "p2",
            before_sensitive: false,
            after_sensitive: false,
          },
        },
      },
      ["tok-1", "tok-2"],
    ],
    [
      "sensitive root variables, not the others",
      {
        variables: {
          password: { value: "pw-123" },
          region: { value: "eu-west-1" },
          undeclared: { value: "u" },
        },
        configuration: {
          root_module: { variables: { password: { sensitive: true }, region: {} } },
        },
      },
      ["pw-123"],
    ],
    [
      "drift entries too",
      {
        resource_drift: [
          {
            address: "x.y",
            mode: "managed",
            type: "x",
            change: {
              actions: ["update"],
              before: { a: "drifted" },
              before_sensitive: { a: true },
            },
          },
        ],
      },
      ["drifted"],
    ],
  ])("collects %s", (_name, plan, expected) => {
    expect(collectSensitiveValues(plan)).toEqual(expected);
  });
});

describe("maskSensitive", () => {
  it.each<[string, unknown, SensitiveMask | undefined, unknown]>([
    ["nothing without a mask", { a: "x" }, undefined, { a: "x" }],
    ["nothing with false", { a: "x" }, false, { a: "x" }],
    ["the whole value with true", { a: "x" }, true, SENSITIVE_PLACEHOLDER],
    ["a null marked sensitive (the engine hides those too)", null, true, SENSITIVE_PLACEHOLDER],
    ["one attribute", { a: "x", b: "y" }, { a: true }, { a: SENSITIVE_PLACEHOLDER, b: "y" }],
    [
      "list elements by position",
      ["a", "b", "c"],
      [false, true],
      ["a", SENSITIVE_PLACEHOLDER, "c"],
    ],
    [
      "nested blocks",
      { blocks: [{ k: "v", s: "secret" }, { k: "w" }] },
      { blocks: [{ s: true }, {}] },
      { blocks: [{ k: "v", s: SENSITIVE_PLACEHOLDER }, { k: "w" }] },
    ],
    ["a value whose shape the mask does not fit", "flat", { nested: true }, SENSITIVE_PLACEHOLDER],
    ["an array mask over an object", { a: 1 }, [true], SENSITIVE_PLACEHOLDER],
    ["nothing when an ill-fitting mask marks nothing", "flat", { nested: false }, "flat"],
  ])("masks %s", (_name, value, mask, expected) => {
    expect(maskSensitive(value, mask)).toEqual(expected);
  });

  it("returns a copy and leaves its input alone", () => {
    const input = { a: { b: ["secret", "open"] }, c: { d: 1 } };
    const frozen = JSON.parse(JSON.stringify(input)) as typeof input;
    const masked = maskSensitive(input, { a: { b: [true] } }) as typeof input;
    expect(input).toEqual(frozen);
    expect(masked).toEqual({ a: { b: [SENSITIVE_PLACEHOLDER, "open"] }, c: { d: 1 } });
    expect(masked.c).not.toBe(input.c);
    expect(maskSensitive(input, false)).not.toBe(input);
  });
});

describe("containsSensitive", () => {
  it.each<[SensitiveMask | undefined, boolean]>([
    [undefined, false],
    [false, false],
    [true, true],
    [{}, false],
    [[], false],
    [{ a: false, b: [{}, false] }, false],
    [{ a: false, b: [{}, { c: true }] }, true],
    [[false, true], true],
  ])("%j → %s", (mask, expected) => {
    expect(containsSensitive(mask)).toBe(expected);
  });
});
