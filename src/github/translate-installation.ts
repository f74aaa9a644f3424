import { z } from "zod";
import type { InstallationChange } from "../services/sync-installation.js";

const Repository = z.object({ id: z.number().int(), full_name: z.string() });
const Installation = z.object({
  id: z.number().int(),
  account: z.object({ login: z.string() }).nullable(),
});

const InstallationEvent = z.object({
  action: z.enum(["created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"]),
  installation: Installation,
  repositories: z.array(Repository).optional(),
});

const InstallationRepositoriesEvent = z.object({
  action: z.enum(["added", "removed"]),
  installation: Installation,
  repositories_added: z.array(Repository),
  repositories_removed: z.array(z.object({ id: z.number().int() })),
});

const toRef = (repo: z.infer<typeof Repository>) => ({ id: repo.id, fullName: repo.full_name });

/** `installation` and `installation_repositories` payloads → the domain's installation change. */
export function translateInstallation(event: string, payload: unknown): InstallationChange {
  if (event === "installation_repositories") {
    const parsed = InstallationRepositoriesEvent.parse(payload);
    return {
      kind: "repositories-changed",
      installationId: parsed.installation.id,
      accountLogin: parsed.installation.account?.login ?? "unknown",
      added: parsed.repositories_added.map(toRef),
      removed: parsed.repositories_removed.map((repo) => repo.id),
    };
  }
  const parsed = InstallationEvent.parse(payload);
  const installationId = parsed.installation.id;
  switch (parsed.action) {
    case "created":
    case "new_permissions_accepted":
      return {
        kind: "installed",
        installationId,
        accountLogin: parsed.installation.account?.login ?? "unknown",
        repositories: (parsed.repositories ?? []).map(toRef),
      };
    case "deleted":
      return { kind: "uninstalled", installationId };
    case "suspend":
      return { kind: "suspended", installationId };
    case "unsuspend":
      return { kind: "unsuspended", installationId };
  }
}
