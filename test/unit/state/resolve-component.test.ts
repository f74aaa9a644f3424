import { describe, expect, it } from "vitest";
import type { ComponentDirectory, ComponentLookup } from "../../../src/services/state-port.js";
import { resolveComponent } from "../../../src/state/resolve-component.js";

const directory = (lookup: ComponentLookup): ComponentDirectory & { asked: unknown[] } => {
  const asked: unknown[] = [];
  return {
    asked,
    find: async (address) => {
      asked.push(address);
      return lookup;
    },
  };
};

describe("resolveComponent", () => {
  it("reads owner/repo:stack@env and finds the component", async () => {
    const found = directory({ found: true, componentId: "c-1" });
    expect(await resolveComponent(found, "acme/infra:network@prod")).toEqual({
      ok: true,
      componentId: "c-1",
      address: { repository: "acme/infra", stack: "network", environment: "prod" },
    });
    expect(found.asked).toEqual([
      { repository: "acme/infra", stack: "network", environment: "prod" },
    ]);
  });

  it.each(["acme/infra", "infra:network@prod", "acme/infra:network", "acme/infra:@prod", ""])(
    "refuses the malformed %j without a lookup",
    async (text) => {
      const dir = directory({ found: true, componentId: "c-1" });
      const resolved = await resolveComponent(dir, text);
      expect(resolved).toEqual({
        ok: false,
        message: expect.stringMatching(/owner\/repo:stack@environment/),
      });
      expect(dir.asked).toEqual([]);
    },
  );

  it.each([
    [
      { found: false, missing: "repository", known: ["acme/apps"] } satisfies ComponentLookup,
      "no repository acme/infra is known to Bosun (known: acme/apps)",
    ],
    [
      { found: false, missing: "repository", known: [] } satisfies ComponentLookup,
      "no repository acme/infra is known to Bosun (none is: is the App installed on it?)",
    ],
    [
      { found: false, missing: "stack", known: ["app", "dns"] } satisfies ComponentLookup,
      "repository acme/infra has no stack network (its stacks: app, dns)",
    ],
    [
      { found: false, missing: "environment", known: ["dev"] } satisfies ComponentLookup,
      "repository acme/infra has no environment prod (its environments: dev)",
    ],
    [
      { found: false, missing: "component", known: [] } satisfies ComponentLookup,
      "stack network of acme/infra is not deployed to environment prod (it is deployed to none yet)",
    ],
  ])("names what is missing: %j", async (lookup, message) => {
    expect(await resolveComponent(directory(lookup), "acme/infra:network@prod")).toEqual({
      ok: false,
      message,
    });
  });
});
