import type { InstallationStore } from "../../services/installation-port.js";
import { syncInstallation } from "../../services/sync-installation.js";
import type { EventHandler } from "../process-delivery.js";
import { translateInstallation } from "../translate-installation.js";

export function createInstallationHandler(
  store: InstallationStore,
  event: "installation" | "installation_repositories",
): EventHandler {
  return async ({ payload, log }) => {
    const change = translateInstallation(event, payload);
    await syncInstallation(store, change);
    log.info({ installationId: change.installationId, change: change.kind }, "installation synced");
    return "processed";
  };
}
