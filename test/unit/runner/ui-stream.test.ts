import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { summarisePlan } from "../../../src/domain/plan-summary.js";
import { parsePlanJson } from "../../../src/runner/plan-json.js";
import {
  diagnosticsOf,
  parseUiLine,
  parseUiStream,
  type UiChangeSummary,
  type UiLine,
} from "../../../src/runner/ui-stream.js";

const fixtureRoot = new URL("../../fixtures/", import.meta.url);
const uiDir = new URL("ui-json/", fixtureRoot);
const readStream = (name: string): UiLine[] =>
  parseUiStream(readFileSync(new URL(name, uiDir), "utf8"));
const readPlanSummary = (name: string) =>
  summarisePlan(parsePlanJson(readFileSync(new URL(`plan-json/${name}`, fixtureRoot), "utf8")));

const countTypes = (lines: readonly UiLine[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    const key = line.type === "unknown" ? `unknown:${line.messageType ?? ""}` : line.type;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

const summaries = (lines: readonly UiLine[]): UiChangeSummary["changes"][] =>
  lines.flatMap((line) => (line.type === "change_summary" ? [line.changes] : []));

// Message counts from ui-json/SOURCES.md; types Bosun does not model come back as "unknown".
const fixtures: Record<
  string,
  { engine: string; types: Record<string, number>; diagnostics: string[] }
> = {
  "terraform-1.14.6_apply_provisioner-error_exit1.jsonl": {
    engine: "terraform 1.14.6",
    types: {
      version: 1,
      planned_change: 2,
      apply_start: 2,
      apply_complete: 1,
      "unknown:provision_start": 1,
      "unknown:provision_progress": 1,
      "unknown:provision_errored": 1,
      apply_errored: 1,
      diagnostic: 1,
    },
    diagnostics: ["error: local-exec provisioner error"],
  },
  "terraform-1.14.6_plan_moved-import-forget_exit2.jsonl": {
    engine: "terraform 1.14.6",
    types: {
      version: 1,
      "unknown:refresh_start": 4,
      "unknown:refresh_complete": 4,
      planned_change: 3,
      change_summary: 1,
      diagnostic: 1,
    },
    diagnostics: ["warning: Some objects will no longer be managed by Terraform"],
  },
  "terraform-1.8.0_plan+apply_gcp-18-resources_apply-progress_UPSTREAM-TRIMMED.jsonl": {
    engine: "terraform 1.8.0",
    types: {
      version: 1,
      apply_start: 13,
      apply_complete: 16,
      planned_change: 18,
      change_summary: 2,
      outputs: 2,
      apply_progress: 16,
    },
    diagnostics: [],
  },
  "tofu-1.11.5_apply_modules-replace-delete-create_exit0.jsonl": {
    engine: "tofu 1.11.5",
    types: {
      version: 1,
      planned_change: 7,
      apply_start: 9,
      apply_complete: 9,
      change_summary: 1,
      outputs: 1,
    },
    diagnostics: [],
  },
  "tofu-1.11.5_plan_error-diagnostic_exit1.jsonl": {
    engine: "tofu 1.11.5",
    types: {
      version: 1,
      "unknown:refresh_start": 1,
      apply_start: 1,
      "unknown:refresh_complete": 1,
      change_summary: 1,
      diagnostic: 1,
    },
    diagnostics: ["error: Read local file data source error"],
  },
  "tofu-1.11.6_plan_drift-update_exit2.jsonl": {
    engine: "tofu 1.11.6",
    types: {
      version: 1,
      "unknown:refresh_start": 1,
      "unknown:refresh_complete": 1,
      resource_drift: 1,
      planned_change: 1,
      change_summary: 1,
    },
    diagnostics: [],
  },
};

describe("parseUiStream on the real streams", () => {
  it("has an expectation for every fixture on disk", () => {
    const onDisk = readdirSync(uiDir).filter((name) => name.endsWith(".jsonl"));
    expect(onDisk.sort()).toEqual(Object.keys(fixtures).sort());
  });

  it.each(Object.entries(fixtures))("reads %s", (name, expected) => {
    const lines = readStream(name);
    expect(countTypes(lines)).toEqual(expected.types);
    const [first] = lines;
    expect(first?.type).toBe("version");
    if (first?.type === "version") {
      expect(first.ui).toBe("1.2");
      const engine =
        first.tofu !== undefined ? `tofu ${first.tofu}` : `terraform ${first.terraform}`;
      expect(engine).toBe(expected.engine);
    }
    expect(diagnosticsOf(lines).map((d) => `${d.severity}: ${d.summary}`)).toEqual(
      expected.diagnostics,
    );
  });

  it("reads a diagnostic's address and source range for annotations", () => {
    const [diagnostic] = diagnosticsOf(readStream("tofu-1.11.5_plan_error-diagnostic_exit1.jsonl"));
    expect(diagnostic).toEqual({
      severity: "error",
      summary: "Read local file data source error",
      detail:
        "The file at given path cannot be read.\n\n+Original Error: open /nonexistent/path/to/file.txt: no such file or directory",
      address: "data.local_file.missing",
      range: {
        filename: "main.tf",
        start: { line: 25, column: 29, byte: 532 },
        end: { line: 25, column: 30, byte: 533 },
      },
    });
  });

  it("sends an all-zero summary even when the plan fails (the exit code is the verdict)", () => {
    const lines = readStream("tofu-1.11.5_plan_error-diagnostic_exit1.jsonl");
    expect(summaries(lines)).toEqual([
      { add: 0, change: 0, remove: 0, import: 0, forget: 0, operation: "plan" },
    ]);
  });

  it("reads a failed apply: apply_errored, an error diagnostic and no summary", () => {
    const lines = readStream("terraform-1.14.6_apply_provisioner-error_exit1.jsonl");
    const errored = lines.find((line) => line.type === "apply_errored");
    expect(errored?.type === "apply_errored" && errored.hook).toMatchObject({
      resource: { addr: "null_resource.will_fail" },
      action: "create",
      elapsed_seconds: 0,
    });
    expect(errored?.type === "apply_errored" && errored["@level"]).toBe("info");
    expect(summaries(lines)).toEqual([]);
    const provisioning = lines.find((line) => line.type === "unknown");
    expect(provisioning).toMatchObject({
      messageType: "provision_start",
      message: "null_resource.will_fail: Provisioning with 'local-exec'...",
    });
  });

  it("reads moves, imports and forgets from the plan stream", () => {
    const lines = readStream("terraform-1.14.6_plan_moved-import-forget_exit2.jsonl");
    const changes = lines.flatMap((line) => (line.type === "planned_change" ? [line.change] : []));
    expect(changes.map((c) => c.action)).toEqual(["remove", "move", "import"]);
    expect(changes[1]?.previous_resource?.addr).toBe("null_resource.original");
    expect(changes[2]?.importing).toEqual({ id: "fixedval" });
    expect(changes[0]?.reason).toBe("delete_because_no_resource_config");
  });

  it("reads progress heartbeats and drops a sensitive output's value", () => {
    const lines = readStream(
      "terraform-1.8.0_plan+apply_gcp-18-resources_apply-progress_UPSTREAM-TRIMMED.jsonl",
    );
    const progress = lines.find((line) => line.type === "apply_progress");
    expect(progress?.type === "apply_progress" && progress.hook.elapsed_seconds).toBe(10);
    expect(summaries(lines).map((s) => [s.operation, s.add])).toEqual([
      ["plan", 18],
      ["apply", 18],
    ]);
    const outputs = lines.flatMap((line) => (line.type === "outputs" ? [line.outputs] : []));
    expect(outputs[0]?.["private_ssh_key"]).toEqual({ sensitive: true, action: "create" });
    expect(outputs[1]?.["private_ssh_key"]).toEqual({ sensitive: true, type: "string" });
    expect(outputs[1]?.["vpc_name"]).toEqual({
      sensitive: false,
      type: "string",
      value: "example-instance-vpc",
    });
  });

  it("reads module instance addresses", () => {
    const lines = readStream("tofu-1.11.5_apply_modules-replace-delete-create_exit0.jsonl");
    const first = lines.find((line) => line.type === "planned_change");
    expect(first?.type === "planned_change" && first.change.resource).toMatchObject({
      addr: 'module.parent["3"].module.child.null_resource.item[2]',
      module: 'module.parent["3"].module.child',
      resource_key: 2,
    });
  });

  // The same run's plan JSON is in plan-json/: both views of it must agree.
  it.each<[string, string]>([
    [
      "terraform-1.14.6_plan_moved-import-forget_exit2.jsonl",
      "terraform-1.14.6_moved-import-forget.json",
    ],
    ["tofu-1.11.6_plan_drift-update_exit2.jsonl", "tofu-1.11.6_drift-update.json"],
    [
      "tofu-1.11.5_apply_modules-replace-delete-create_exit0.jsonl",
      "tofu-1.11.5_modules_replace-delete-create-outputs-update.json",
    ],
  ])("%s agrees with the summary of %s", (stream, plan) => {
    const [streamSummary] = summaries(readStream(stream)).slice(-1);
    const { counts, drift } = readPlanSummary(plan);
    expect(streamSummary).toMatchObject({
      add: counts.add,
      change: counts.change,
      remove: counts.destroy,
      import: counts.import,
    });
    const streamDrift = readStream(stream).flatMap((line) =>
      line.type === "resource_drift" ? [line.change.resource.addr] : [],
    );
    expect(streamDrift).toEqual(drift.map((d) => d.address));
  });
});

const line = (fields: Record<string, unknown>): string =>
  JSON.stringify({ "@level": "info", "@message": "m", "@module": "tofu.ui", ...fields });

const addr = {
  addr: "null_resource.a",
  module: "",
  resource: "null_resource.a",
  implied_provider: "null",
  resource_type: "null_resource",
  resource_name: "a",
  resource_key: null,
};

describe("parseUiLine", () => {
  it.each<[string, string, Partial<Record<string, unknown>>]>([
    ["an empty line as text", "", { type: "text", raw: "" }],
    [
      "a line that is not JSON as text",
      "Terraform crashed!",
      { type: "text", raw: "Terraform crashed!" },
    ],
    ["a JSON number as text", "42", { type: "text", raw: "42" }],
    ["a JSON array as text", "[1,2]", { type: "text" }],
    ["JSON null as text", "null", { type: "text" }],
    ["a truncated JSON line as text", '{"@level":"info","type":"ver', { type: "text" }],
    [
      "an unmodelled type as unknown, with its message",
      line({ type: "refresh_start", "@message": "a: Refreshing state..." }),
      { type: "unknown", messageType: "refresh_start", message: "a: Refreshing state..." },
    ],
    [
      "a line without type (OpenTofu 1.12 init) as unknown",
      JSON.stringify({ "@level": "info", "@message": "Initializing the backend..." }),
      { type: "unknown", message: "Initializing the backend..." },
    ],
    [
      "a log line",
      line({ type: "log", "@message": "Installing hashicorp/null v3.2.4..." }),
      { type: "log" },
    ],
    [
      "a version of ui 1.3",
      line({ type: "version", tofu: "1.12.0", ui: "1.3" }),
      { type: "version", ui: "1.3" },
    ],
    [
      "a version of ui 2.0 as unsupported",
      line({ type: "version", terraform: "2.0.0", ui: "2.0" }),
      {
        type: "invalid",
        code: "unsupported-ui-version",
        messageType: "version",
        error: 'UI stream version "2.0" is not supported; Bosun reads major version 1',
      },
    ],
    [
      "a version of ui 0.1.0 as unsupported",
      line({ type: "version", terraform: "0.15.0", ui: "0.1.0" }),
      { type: "invalid", code: "unsupported-ui-version" },
    ],
    [
      "a diagnostic without summary as invalid, naming the path",
      line({ type: "diagnostic", diagnostic: { severity: "error", detail: "" } }),
      {
        type: "invalid",
        code: "invalid-message",
        messageType: "diagnostic",
        error: "diagnostic.summary: Invalid input: expected string, received undefined",
      },
    ],
    [
      "a planned change with an action Bosun does not know as invalid",
      line({ type: "planned_change", change: { resource: addr, action: "teleport" } }),
      { type: "invalid", code: "invalid-message", messageType: "planned_change" },
    ],
    [
      "a change summary with a negative count as invalid",
      line({
        type: "change_summary",
        changes: { add: -1, change: 0, remove: 0, operation: "plan" },
      }),
      { type: "invalid", error: expect.stringContaining("changes.add") as unknown },
    ],
    [
      "a diagnostic without detail, which defaults to empty",
      line({
        type: "diagnostic",
        "@level": "warn",
        diagnostic: { severity: "warning", summary: "s" },
      }),
      { type: "diagnostic", diagnostic: { severity: "warning", summary: "s", detail: "" } },
    ],
    [
      "a line without @timestamp",
      line({ type: "apply_start", hook: { resource: addr, action: "create" } }),
      { type: "apply_start", hook: { resource: addr, action: "create" } },
    ],
  ])("reads %s", (_name, raw, expected) => {
    expect(parseUiLine(raw)).toMatchObject(expected);
  });

  it("drops the value of a sensitive output even if the engine sends it", () => {
    const parsed = parseUiLine(
      line({
        type: "outputs",
        outputs: {
          password: { sensitive: true, type: "string", value: "hunter2" },
          name: { sensitive: false, type: "string", value: "web" },
        },
      }),
    );
    expect(parsed.type === "outputs" && parsed.outputs).toEqual({
      password: { sensitive: true, type: "string" },
      name: { sensitive: false, type: "string", value: "web" },
    });
  });

  it("never throws", () => {
    const inputs = [
      "{",
      "}",
      '{"type":1}',
      '{"type":"diagnostic"}',
      '{"type":"outputs","outputs":[]}',
      "\u0000",
      "[]]",
    ];
    for (const input of inputs) expect(() => parseUiLine(input)).not.toThrow();
  });

  it("keeps the raw line of whatever it does not model", () => {
    const raw = line({ type: "ephemeral_op_start" });
    expect(parseUiLine(raw)).toEqual({
      type: "unknown",
      messageType: "ephemeral_op_start",
      message: "m",
      raw,
    });
  });
});

describe("parseUiStream and diagnosticsOf", () => {
  it("skips blank lines and reads CRLF streams", () => {
    const text = [
      line({ type: "version", terraform: "1.14.6", ui: "1.2" }),
      "",
      line({
        type: "diagnostic",
        "@level": "error",
        diagnostic: { severity: "error", summary: "boom", detail: "d" },
      }),
      "  ",
      "plain text",
      "",
    ].join("\r\n");
    const lines = parseUiStream(text);
    expect(lines.map((l) => l.type)).toEqual(["version", "diagnostic", "text"]);
    expect(diagnosticsOf(lines)).toEqual([{ severity: "error", summary: "boom", detail: "d" }]);
  });

  it("ignores diagnostics that did not validate", () => {
    const lines = parseUiStream(
      line({ type: "diagnostic", diagnostic: { severity: "fatal", summary: "s" } }),
    );
    expect(lines[0]?.type).toBe("invalid");
    expect(diagnosticsOf(lines)).toEqual([]);
  });
});
