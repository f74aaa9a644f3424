import { describe, expect, it } from "vitest";
import {
  pickComponentSecrets,
  type SecretEntry,
} from "../../../src/domain/pick-component-secrets.js";

const entries: SecretEntry[] = [
  { name: "DB_PASSWORD", environment: undefined, scope: "both" },
  { name: "DB_PASSWORD", environment: "dev", scope: "both" },
  { name: "DB_PASSWORD", environment: "prod", scope: "apply" },
  { name: "READ_KEY", environment: undefined, scope: "plan" },
  { name: "PREVIEW_TOKEN", environment: "preview", scope: "both" },
];

const picked = (environment: string, phase: "plan" | "apply", stackWide: boolean) =>
  pickComponentSecrets(entries, { environment, phase, stackWide }).map(
    (entry) => `${entry.name}@${entry.environment ?? "*"}`,
  );

describe("pickComponentSecrets", () => {
  it.each([
    ["dev", "plan", true, ["DB_PASSWORD@dev", "READ_KEY@*"]],
    ["dev", "apply", true, ["DB_PASSWORD@dev"]],
    // prod's own DB_PASSWORD, for apply only, still overrides the stack-wide one: its plan gets neither.
    ["prod", "plan", true, ["READ_KEY@*"]],
    ["prod", "apply", true, ["DB_PASSWORD@prod"]],
    ["staging", "plan", true, ["DB_PASSWORD@*", "READ_KEY@*"]],
    // An environment the tracked branch does not declare: its own secrets only.
    ["preview", "plan", false, ["PREVIEW_TOKEN@preview"]],
    ["staging", "apply", false, []],
  ] as const)("%s %s (stack-wide: %s) gets %j", (environment, phase, stackWide, expected) => {
    expect(picked(environment, phase, stackWide).sort()).toEqual([...expected].sort());
  });
});
