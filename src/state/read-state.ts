import type { StateVersionHead } from "../services/state-port.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";
import { openState } from "./state-envelope.js";

/** The component's latest state, opened; undefined when it has none yet. */
export async function readState(
  deps: Pick<ManagedStateDeps, "store" | "key">,
  componentId: string,
): Promise<{ version: StateVersionHead; body: Buffer } | undefined> {
  const latest = await deps.store.latest(componentId);
  if (!latest) return undefined;
  const { sealedBody: _sealed, ...version } = latest;
  return { version, body: openState(deps.key, latest) };
}
