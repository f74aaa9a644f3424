import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";

const definitions = createRequire(import.meta.url)(
  "@octokit/webhooks-examples",
) as WebhookDefinition[];

type Payload = Record<string, unknown> & { installation?: { id: number } };

/**
 * A real example payload from GitHub's published webhook examples, deep-copied. The default
 * predicate picks one that carries an installation (the first `opened` pull_request has none).
 */
export function example(
  event: string,
  predicate: (payload: Payload) => boolean = (payload) => payload.installation !== undefined,
): Payload {
  const examples = definitions.find((definition) => definition.name === event)?.examples as
    Payload[] | undefined;
  const found = examples?.find(predicate);
  if (!found) throw new Error(`no @octokit/webhooks-examples payload for ${event} matches`);
  return structuredClone(found);
}
