import { describe, expect, it } from "vitest";
import { inspectSource } from "../../../src/runner/inspect-source.js";
import { hostileTarball } from "../../helpers/raw-tarball.js";
import { repoTarball } from "../../helpers/repo-tarball.js";

const CONFIG = "version: 1\nstacks:\n  - name: network\n    dir: infra/network\n";
const STACK = { "infra/network/main.tf": 'variable "region" {}\n' };

describe("inspectSource", () => {
  it("reads the configuration file from the archive and inspects the stacks it names", async () => {
    const seen: (string | undefined)[] = [];
    const inspection = await inspectSource(await repoTarball({ "bosun.yml": CONFIG, ...STACK }), {
      configFile: "bosun.yml",
      stackDirs: (text) => {
        seen.push(text);
        return text === undefined ? [] : ["infra/network"];
      },
    });
    expect(seen).toEqual([CONFIG]);
    expect(inspection.configText).toBe(CONFIG);
    expect(inspection.declaredVariables.get("infra/network")).toEqual(["region"]);
    expect(inspection.watchedPaths.get("infra/network")).toEqual(["infra/network"]);
  });

  it("has no configuration text when the commit has no such file", async () => {
    const seen: (string | undefined)[] = [];
    const inspection = await inspectSource(await repoTarball(STACK), {
      configFile: "bosun.yml",
      stackDirs: (text) => {
        seen.push(text);
        return [];
      },
    });
    expect(seen).toEqual([undefined]);
    expect(inspection.configText).toBeUndefined();
    expect(inspection.watchedPaths.size).toBe(0);
  });

  it("takes a directory of that name for no file", async () => {
    const inspection = await inspectSource(
      await repoTarball({ "bosun.yml/README": "x", ...STACK }),
      {
        configFile: "bosun.yml",
        stackDirs: () => [],
      },
    );
    expect(inspection.configText).toBeUndefined();
  });

  it("follows a link only to a file inside the archive", async () => {
    const inside = await inspectSource(
      hostileTarball({ "config/bosun.yml": CONFIG }, [
        { name: "bosun.yml", type: "2", linkname: "config/bosun.yml" },
      ]),
      { configFile: "bosun.yml", stackDirs: () => [] },
    );
    expect(inside.refused).toBeUndefined();
    expect(inside.configText).toBe(CONFIG);
  });

  it("reads nothing from an archive it refuses", async () => {
    const refused = await inspectSource(
      hostileTarball({ "bosun.yml": CONFIG }, [
        { name: "escape", type: "2", linkname: "../../../../etc/passwd" },
      ]),
      { configFile: "bosun.yml", stackDirs: () => ["infra/network"] },
    );
    expect(refused.refused).toBeDefined();
    expect(refused.configText).toBeUndefined();
  });
});
