import type { KeyObject } from "node:crypto";
import { open, seal } from "../lib/seal.js";

/**
 * States are sealed with the component and serial as associated data, so a sealed body copied to
 * another component's row, or to another serial, fails to open instead of being served.
 */
function context(componentId: string, serial: number): string {
  return `bosun-state:${componentId}:${serial}`;
}

export function sealState(
  key: KeyObject,
  componentId: string,
  serial: number,
  body: Buffer,
): Buffer {
  return seal(key, body, context(componentId, serial));
}

export function openState(
  key: KeyObject,
  version: { componentId: string; serial: number; sealedBody: Buffer },
): Buffer {
  return open(key, version.sealedBody, context(version.componentId, version.serial));
}
