export interface RepositoryRef {
  id: number;
  fullName: string;
}

export interface InstallationStore {
  upsertInstallation(installation: { id: number; accountLogin: string }): Promise<void>;
  markInstallation(id: number, change: "deleted" | "suspended" | "unsuspended"): Promise<void>;
  addRepositories(installationId: number, repositories: RepositoryRef[]): Promise<void>;
  removeRepositories(installationId: number, repositoryIds: number[]): Promise<void>;
}
