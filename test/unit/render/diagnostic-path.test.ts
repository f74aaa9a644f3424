import { describe, expect, it } from "vitest";
import { diagnosticPath } from "../../../src/render/diagnostic-path.js";

describe("diagnosticPath", () => {
  it.each([
    ["infra/network", "main.tf", "infra/network/main.tf"],
    ["infra/network", "./main.tf", "infra/network/main.tf"],
    ["infra/network", "../modules/vpc/main.tf", "infra/modules/vpc/main.tf"],
    ["infra/network", "modules\\vpc\\main.tf", "infra/network/modules/vpc/main.tf"],
    [".", "main.tf", "main.tf"],
    ["infra", "../../etc/passwd", undefined],
    ["infra", "/etc/passwd", undefined],
    ["infra", "C:\\x.tf", undefined],
    ["infra", "", undefined],
  ])("%s + %s is %s", (dir, filename, expected) => {
    expect(diagnosticPath(dir, filename)).toBe(expected);
  });
});
