import type { ComponentAddress, ComponentDirectory } from "../services/state-port.js";
import { assertNever } from "../lib/assert-never.js";

const ADDRESS = /^(?<repository>[^/:@\s]+\/[^/:@\s]+):(?<stack>[^:@\s]+)@(?<environment>[^:@\s]+)$/;

export type ResolvedComponent =
  { ok: true; componentId: string; address: ComponentAddress } | { ok: false; message: string };

/** Finds the component an operator names as `owner/repo:stack@env`, or says what is not there. */
export async function resolveComponent(
  directory: ComponentDirectory,
  text: string,
): Promise<ResolvedComponent> {
  const groups = ADDRESS.exec(text.trim())?.groups;
  if (!groups?.repository || !groups.stack || !groups.environment) {
    return {
      ok: false,
      message: `"${text}" is not a component: write it as owner/repo:stack@environment (for example acme/infra:network@prod)`,
    };
  }
  const address: ComponentAddress = {
    repository: groups.repository,
    stack: groups.stack,
    environment: groups.environment,
  };
  const found = await directory.find(address);
  if (found.found) return { ok: true, componentId: found.componentId, address };
  const list = (what: string, none: string) =>
    found.known.length > 0 ? ` (${what}: ${found.known.join(", ")})` : ` (${none})`;
  switch (found.missing) {
    case "repository":
      return {
        ok: false,
        message: `no repository ${address.repository} is known to Bosun${list("known", "none is: is the App installed on it?")}`,
      };
    case "stack":
      return {
        ok: false,
        message: `repository ${address.repository} has no stack ${address.stack}${list("its stacks", "it has none")}`,
      };
    case "environment":
      return {
        ok: false,
        message: `repository ${address.repository} has no environment ${address.environment}${list("its environments", "it has none")}`,
      };
    case "component":
      return {
        ok: false,
        message: `stack ${address.stack} of ${address.repository} is not deployed to environment ${address.environment}${list("it is deployed to", "it is deployed to none yet")}`,
      };
    default:
      return assertNever(found.missing, "missing part");
  }
}
