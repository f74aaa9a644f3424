import { assertNever } from "../lib/assert-never.js";
import type { InstallationStore, RepositoryRef } from "./installation-port.js";

export type InstallationChange =
  | {
      kind: "installed";
      installationId: number;
      accountLogin: string;
      repositories: RepositoryRef[];
    }
  | { kind: "uninstalled" | "suspended" | "unsuspended"; installationId: number }
  | {
      kind: "repositories-changed";
      installationId: number;
      accountLogin: string;
      added: RepositoryRef[];
      removed: number[];
    };

/** Keeps Bosun's record of installations and their repositories in step with GitHub. */
export async function syncInstallation(
  store: InstallationStore,
  change: InstallationChange,
): Promise<void> {
  switch (change.kind) {
    case "installed":
      await store.upsertInstallation({
        id: change.installationId,
        accountLogin: change.accountLogin,
      });
      await store.addRepositories(change.installationId, change.repositories);
      return;
    case "uninstalled":
      await store.markInstallation(change.installationId, "deleted");
      return;
    case "suspended":
    case "unsuspended":
      await store.markInstallation(change.installationId, change.kind);
      return;
    case "repositories-changed":
      await store.upsertInstallation({
        id: change.installationId,
        accountLogin: change.accountLogin,
      });
      await store.addRepositories(change.installationId, change.added);
      await store.removeRepositories(change.installationId, change.removed);
      return;
    default:
      assertNever(change, "installation change");
  }
}
