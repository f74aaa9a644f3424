import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PlanJsonError, parsePlanJson, type PlanJson } from "../../../src/runner/plan-json.js";

const fixtureDir = new URL("../../fixtures/plan-json/", import.meta.url);
const readFixture = (name: string): string => readFileSync(new URL(name, fixtureDir), "utf8");

// What each real plan says about itself (read from the files and plan-json/SOURCES.md).
const fixtures: Record<
  string,
  {
    terraformVersion: string | undefined;
    resourceChanges: number;
    outputChanges: number;
    drift: number;
    applyable: boolean | undefined;
  }
> = {
  "terraform-1.14.6_data-source-read-update-replace.json": {
    terraformVersion: "1.14.6",
    resourceChanges: 7,
    outputChanges: 1,
    drift: 0,
    applyable: true,
  },
  "terraform-1.14.6_moved-import-forget.json": {
    terraformVersion: "1.14.6",
    resourceChanges: 5,
    outputChanges: 0,
    drift: 0,
    applyable: true,
  },
  "terraform-1.14.9_no-changes.json": {
    terraformVersion: "1.14.9",
    resourceChanges: 3,
    outputChanges: 0,
    drift: 0,
    applyable: false,
  },
  "terraform-1.14.9_replace-delete-update-check.json": {
    terraformVersion: "1.14.9",
    resourceChanges: 4,
    outputChanges: 0,
    drift: 0,
    applyable: true,
  },
  "terraform-1.15.0_replace-tainted.json": {
    terraformVersion: "1.15.0",
    resourceChanges: 1,
    outputChanges: 0,
    drift: 0,
    applyable: undefined,
  },
  "tofu-1.11.5_modules_replace-delete-create-outputs-update.json": {
    terraformVersion: "1.11.5",
    resourceChanges: 8,
    outputChanges: 2,
    drift: 0,
    applyable: undefined,
  },
  "tofu-1.11.5_sensitive-replace-sensitive-output.json": {
    terraformVersion: "1.11.5",
    resourceChanges: 1,
    outputChanges: 2,
    drift: 0,
    applyable: undefined,
  },
  "tofu-1.11.6_drift-update.json": {
    terraformVersion: "1.11.6",
    resourceChanges: 1,
    outputChanges: 0,
    drift: 1,
    applyable: undefined,
  },
  "tofu-equivalence_complex-nested-update-normalized_LARGEST.json": {
    terraformVersion: undefined,
    resourceChanges: 1,
    outputChanges: 0,
    drift: 0,
    applyable: undefined,
  },
  "tofu-equivalence_destroy-mode-complex-normalized.json": {
    terraformVersion: undefined,
    resourceChanges: 1,
    outputChanges: 0,
    drift: 0,
    applyable: undefined,
  },
};

describe("parsePlanJson on the real plans", () => {
  it("has an expectation for every fixture on disk", () => {
    const onDisk = readdirSync(fixtureDir).filter((name) => name.endsWith(".json"));
    expect(onDisk.sort()).toEqual(Object.keys(fixtures).sort());
  });

  it.each(Object.entries(fixtures))("parses %s", (name, expected) => {
    const plan = parsePlanJson(readFixture(name));
    expect(plan.format_version).toBe("1.2");
    expect(plan.terraform_version).toBe(expected.terraformVersion);
    expect(plan.resource_changes).toHaveLength(expected.resourceChanges);
    expect(Object.keys(plan.output_changes)).toHaveLength(expected.outputChanges);
    expect(plan.resource_drift).toHaveLength(expected.drift);
    expect(plan.applyable).toBe(expected.applyable);
    expect(plan.errored).toBe(false);
  });

  it("keeps the fields Bosun reads", () => {
    const plan = parsePlanJson(readFixture("terraform-1.14.6_moved-import-forget.json"));
    const byAddress = new Map(plan.resource_changes.map((rc) => [rc.address, rc]));
    expect(byAddress.get("null_resource.renamed")?.previous_address).toBe("null_resource.original");
    expect(byAddress.get("random_string.imported")?.change.importing).toEqual({ id: "fixedval" });
    expect(byAddress.get("null_resource.ephemeral")).toMatchObject({
      action_reason: "delete_because_no_resource_config",
      change: { actions: ["forget"] },
    });
  });

  it("keeps module addresses and instance keys", () => {
    const plan = parsePlanJson(
      readFixture("tofu-1.11.5_modules_replace-delete-create-outputs-update.json"),
    );
    expect(plan.resource_changes[3]).toMatchObject({
      address: 'module.parent["2"].module.child.null_resource.item[0]',
      module_address: 'module.parent["2"].module.child',
      index: 0,
      action_reason: "delete_because_no_module",
    });
  });

  it("reads sensitive variables and output values that are unknown until apply", () => {
    const plan = parsePlanJson(readFixture("tofu-1.11.5_sensitive-replace-sensitive-output.json"));
    expect(plan.configuration?.root_module?.variables?.["secret_content"]).toEqual({
      sensitive: true,
    });
    expect(plan.variables?.["secret_content"]).toEqual({ value: "updated-secret-value" });
    const checksum = plan.output_changes["secret_checksum"];
    expect(checksum).toMatchObject({ before_sensitive: true, after_sensitive: true });
    expect(checksum && "after" in checksum).toBe(false);
  });

  it("treats a missing errored flag as false", () => {
    expect(parsePlanJson(readFixture("terraform-1.15.0_replace-tainted.json")).errored).toBe(false);
  });

  it("drops what it does not read", () => {
    const plan: PlanJson = parsePlanJson(readFixture("terraform-1.14.9_no-changes.json"));
    expect(plan).not.toHaveProperty("prior_state");
    expect(plan).not.toHaveProperty("checks");
  });
});

const resource = () => ({
  address: "null_resource.a",
  mode: "managed",
  type: "null_resource",
  name: "a",
  provider_name: "registry.opentofu.org/hashicorp/null",
  change: {
    actions: ["create"],
    before: null,
    after: { triggers: null },
    after_unknown: { id: true },
    before_sensitive: false,
    after_sensitive: {},
  },
});

const validPlan = () => ({
  format_version: "1.2",
  terraform_version: "1.11.5",
  planned_values: {},
  resource_changes: [resource()],
  output_changes: {
    greeting: {
      actions: ["create"],
      before: null,
      after: "hi",
      before_sensitive: false,
      after_sensitive: false,
    },
  },
  errored: false,
});

// The table below breaks a valid plan one field at a time, so it works on untyped JSON.
type Json = Record<string, unknown>;
const at = (value: unknown, ...path: (string | number)[]): Json =>
  path.reduce<unknown>((node, key) => (node as Json)[key], value) as Json;
const withPlan = (edit: (plan: Json) => void): string => {
  const plan: Json = validPlan();
  edit(plan);
  return JSON.stringify(plan);
};
const firstResource = (plan: Json): Json => at(plan, "resource_changes", 0);
const firstChange = (plan: Json): Json => at(plan, "resource_changes", 0, "change");
const outputs = (plan: Json): Json => at(plan, "output_changes");

const catchError = (text: string): PlanJsonError => {
  try {
    parsePlanJson(text);
  } catch (error) {
    if (error instanceof PlanJsonError) return error;
    throw new Error("expected a PlanJsonError", { cause: error });
  }
  throw new Error("expected parsePlanJson to throw");
};

describe("parsePlanJson on bad input", () => {
  it("accepts the minimal valid plan the table below breaks", () => {
    expect(parsePlanJson(withPlan(() => {})).resource_changes).toHaveLength(1);
  });

  it("accepts a plan with no resources, outputs or drift (the engine omits empty lists)", () => {
    const plan = parsePlanJson('{"format_version":"1.2","planned_values":{}}');
    expect(plan.resource_changes).toEqual([]);
    expect(plan.resource_drift).toEqual([]);
    expect(plan.output_changes).toEqual({});
  });

  it("accepts unknown actions and unknown keys (minor versions add them)", () => {
    const plan = parsePlanJson(
      withPlan((p) => {
        firstChange(p)["actions"] = ["create", "forget"];
        firstChange(p)["generated_config"] = "x";
        p["new_top_level_key"] = true;
      }),
    );
    expect(plan.resource_changes[0]?.change.actions).toEqual(["create", "forget"]);
  });

  it.each<[string, string, PlanJsonError["code"], string]>([
    ["empty input", "", "not-json", "the input is empty"],
    ["whitespace", " \n", "not-json", "the input is empty"],
    ["not JSON", "Error: Failed to read plan", "not-json", "not valid JSON (Unexpected token)"],
    ["truncated JSON", '{"format_version":"1.2",', "not-json", "not valid JSON ("],
    [
      "JSON cut inside a string",
      '{"format_version":"1.2","planned_',
      "not-json",
      "(Unterminated string in JSON at position 33",
    ],
    ["a JSON array", "[]", "invalid-plan", "(root): Invalid input: expected object"],
    ["JSON null", "null", "invalid-plan", "(root): Invalid input: expected object"],
    [
      "state JSON",
      '{"format_version":"1.0","values":{"root_module":{}}}',
      "invalid-plan",
      "planned_values: Invalid input: expected record",
    ],
    [
      "format_version 2",
      withPlan((p) => (p["format_version"] = "2.0")),
      "unsupported-format-version",
      "format_version 2.x is not supported; Bosun reads 1.x",
    ],
    [
      "format_version missing",
      withPlan((p) => delete p["format_version"]),
      "invalid-plan",
      "format_version: Invalid input: expected string, received undefined",
    ],
    [
      "format_version not a version",
      withPlan((p) => (p["format_version"] = "latest")),
      "invalid-plan",
      "format_version: expected a version like 1.2",
    ],
    [
      "resource_changes of the wrong type",
      withPlan((p) => (p["resource_changes"] = "none")),
      "invalid-plan",
      "resource_changes: Invalid input: expected array, received string",
    ],
    [
      "a resource without type",
      withPlan((p) => delete firstResource(p)["type"]),
      "invalid-plan",
      "resource_changes[0].type: Invalid input: expected string, received undefined",
    ],
    [
      "a resource with an unknown mode",
      withPlan((p) => (firstResource(p)["mode"] = "ephemeral")),
      "invalid-plan",
      "resource_changes[0].mode: Invalid option",
    ],
    [
      "an address that is a number",
      withPlan((p) => (firstResource(p)["address"] = 7)),
      "invalid-plan",
      "resource_changes[0].address: Invalid input: expected string, received number",
    ],
    [
      "actions as a string",
      withPlan((p) => (firstChange(p)["actions"] = "create")),
      "invalid-plan",
      "resource_changes[0].change.actions: Invalid input: expected array, received string",
    ],
    [
      "empty actions",
      withPlan((p) => (firstChange(p)["actions"] = [])),
      "invalid-plan",
      "resource_changes[0].change.actions: Too small",
    ],
    [
      "a missing change",
      withPlan((p) => delete firstResource(p)["change"]),
      "invalid-plan",
      "resource_changes[0].change: Invalid input: expected object, received undefined",
    ],
    [
      "before_sensitive missing (masking would be guesswork)",
      withPlan((p) => delete firstChange(p)["before_sensitive"]),
      "invalid-plan",
      "resource_changes[0].change.before_sensitive: Invalid input",
    ],
    [
      "a sensitive mark that is a string",
      withPlan((p) => (firstChange(p)["after_sensitive"] = { password: "yes" })),
      "invalid-plan",
      "resource_changes[0].change.after_sensitive",
    ],
    [
      "importing that is not an object",
      withPlan((p) => (firstChange(p)["importing"] = "i-123")),
      "invalid-plan",
      "resource_changes[0].change.importing: Invalid input: expected object, received string",
    ],
    [
      "an output without actions",
      withPlan((p) => delete at(outputs(p), "greeting")["actions"]),
      "invalid-plan",
      "output_changes.greeting.actions: Invalid input: expected array, received undefined",
    ],
    [
      "an output name that needs quoting",
      withPlan((p) => (outputs(p)["odd name"] = [])),
      "invalid-plan",
      'output_changes["odd name"]: Invalid input: expected object, received array',
    ],
    [
      "a drift entry without address",
      withPlan((p) => {
        const drifted: Json = resource();
        delete drifted["address"];
        p["resource_drift"] = [drifted];
      }),
      "invalid-plan",
      "resource_drift[0].address: Invalid input: expected string, received undefined",
    ],
    [
      "errored as a string",
      withPlan((p) => (p["errored"] = "no")),
      "invalid-plan",
      "errored: Invalid input: expected boolean, received string",
    ],
  ])("rejects %s", (_name, text, code, message) => {
    const error = catchError(text);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/^reading the plan JSON: /);
  });

  it("says when it was given state JSON instead of a plan", () => {
    const error = catchError('{"format_version":"1.0","values":{}}');
    expect(error.message).toContain("this looks like state JSON");
  });

  it("lists every issue with its path and caps the message", () => {
    const error = catchError(
      withPlan((p) => {
        p["resource_changes"] = Array.from({ length: 12 }, () => ({ ...resource(), type: 1 }));
      }),
    );
    expect(error.issues).toHaveLength(12);
    expect(error.issues[11]).toEqual({
      path: "resource_changes[11].type",
      message: "Invalid input: expected string, received number",
    });
    expect(error.message).toContain("resource_changes[9].type");
    expect(error.message).not.toContain("resource_changes[10].type");
    expect(error.message).toContain("and 2 more");
  });

  it("never repeats input values, which may be secrets", () => {
    const secret = "hunter2-very-secret";
    const notJson = catchError(`{"password": "${secret}", oops}`);
    expect(notJson.message).not.toContain(secret);
    expect(String((notJson.cause as Error).message)).not.toContain(secret);

    const invalid = catchError(withPlan((p) => (firstResource(p)["mode"] = secret)));
    expect(invalid.message).not.toContain(secret);
    expect(JSON.stringify(invalid.issues)).not.toContain(secret);
  });

  it("throws a PlanJsonError with a cause, never a ZodError", () => {
    const error = catchError(withPlan((p) => (p["errored"] = 1)));
    expect(error).toBeInstanceOf(PlanJsonError);
    expect(error.name).toBe("PlanJsonError");
    expect(error.cause).toBeDefined();
  });
});
