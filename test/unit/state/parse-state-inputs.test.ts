import { describe, expect, it } from "vitest";
import { parseLockInfo } from "../../../src/state/lock-info.js";
import { parseStateFile } from "../../../src/state/state-file.js";

const lockInfo = {
  ID: "3f2b6a8e-0000-4000-8000-000000000001",
  Operation: "OperationTypeApply",
  Info: "",
  Who: "runner@worker-1",
  Version: "1.11.5",
  Created: "2025-01-01T00:00:00Z",
  Path: "",
};

describe("parseLockInfo", () => {
  it("keeps the whole LockInfo, unknown fields included", () => {
    const parsed = parseLockInfo(Buffer.from(JSON.stringify({ ...lockInfo, Extra: 1 })));
    expect(parsed).toEqual({ kind: "parsed", info: { ...lockInfo, Extra: 1 } });
  });

  it.each([
    ["not JSON", "{nope", /not JSON/],
    ["no ID", JSON.stringify({ Who: "x" }), /ID/],
    ["an empty ID", JSON.stringify({ ...lockInfo, ID: "" }), /ID must not be empty/],
    ["a non-string field", JSON.stringify({ ...lockInfo, Who: 7 }), /Who/],
    ["an array", "[]", /not a LockInfo/],
  ])("refuses %s", (_name, body, message) => {
    const parsed = parseLockInfo(Buffer.from(body));
    expect(parsed.kind).toBe("refused");
    expect(parsed.kind === "refused" && parsed.code).toBe("bad-lock-info");
    expect(parsed.kind === "refused" && parsed.message).toMatch(message);
  });
});

describe("parseStateFile", () => {
  const state = { version: 4, terraform_version: "1.11.5", serial: 3, lineage: "L", outputs: {} };

  it("reads version 4 states", () => {
    expect(parseStateFile(Buffer.from(JSON.stringify(state)))).toEqual({
      kind: "parsed",
      state,
    });
  });

  it.each([
    ["not JSON", "<html>", "not-json", /not JSON/],
    ["an older format", JSON.stringify({ ...state, version: 3 }), "not-state", /version must be 4/],
    ["no lineage", JSON.stringify({ ...state, lineage: undefined }), "not-state", /lineage/],
    ["a negative serial", JSON.stringify({ ...state, serial: -1 }), "not-state", /serial/],
    ["a fractional serial", JSON.stringify({ ...state, serial: 1.5 }), "not-state", /serial/],
    ["a JSON string", JSON.stringify("state"), "not-state", /JSON object/],
  ])("refuses %s", (_name, body, code, message) => {
    const parsed = parseStateFile(Buffer.from(body));
    expect(parsed.kind === "refused" && parsed.code).toBe(code);
    expect(parsed.kind === "refused" && parsed.message).toMatch(message);
  });
});

describe("parseStateFile on broken JSON", () => {
  it("says where, never what: the text around the fault may be a secret", () => {
    const parsed = parseStateFile(Buffer.from('{"outputs": {"password": "hunter2" x'));
    expect(parsed.kind === "refused" && parsed.message).toMatch(/^the state is not JSON/);
    expect(JSON.stringify(parsed)).not.toContain("hunter2");
  });
});
