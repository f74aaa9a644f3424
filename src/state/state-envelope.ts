import { type SealKeys, open, seal } from "../lib/seal.js";
import { stateVersionContext as context } from "../lib/seal-contexts.js";

// States are sealed with the component and serial as associated data, so a sealed body copied to
// another component's row, or to another serial, fails to open instead of being served.

export function sealState(
  key: SealKeys,
  componentId: string,
  serial: number,
  body: Buffer,
): Buffer {
  return seal(key, body, context(componentId, serial));
}

export function openState(
  key: SealKeys,
  version: { componentId: string; serial: number; sealedBody: Buffer },
): Buffer {
  return open(key, version.sealedBody, context(version.componentId, version.serial));
}
