/**
 * The context (associated data) each kind of sealed value is bound to, in one place: the code that
 * seals and opens a value and `bosun keys rotate`, which re-seals every one of them, must agree on
 * it byte for byte. A sealed value copied to another row fails to open under that row's context.
 * These strings are stored implicitly in every sealed value: never change one.
 */

/**
 * A stack secret. A stack-wide secret keeps the form it was sealed with before secrets had
 * environments; an environment's secret binds its environment too, under a prefix of its own, so
 * that neither another environment's value nor a stack-wide one opens in its place. Stack,
 * environment and variable names hold no `:`, so neither form is ambiguous.
 */
export function stackSecretContext(
  repositoryId: number,
  stackName: string,
  environment: string | undefined,
  name: string,
): string {
  return environment === undefined
    ? `secret:${repositoryId}:${stackName}:${name}`
    : `secret-env:${repositoryId}:${stackName}:${environment}:${name}`;
}

/** A repository's notification webhook secret: its repository and name. */
export function notificationSecretContext(repositoryId: number, name: string): string {
  return `notification-secret:${repositoryId}:${name}`;
}

/** An OIDC signing key's private half: its kid, so one key's envelope cannot stand in for another's. */
export function signingKeyContext(kid: string): string {
  return `oidc-signing-key:${kid}`;
}

/** A component's state version: the component and serial, so a body cannot move to another. */
export function stateVersionContext(componentId: string, serial: number): string {
  return `bosun-state:${componentId}:${serial}`;
}

/** A saved workspace (plan file, lock file, rendered inputs): its run component. */
export function savedWorkspaceContext(runComponentId: string): string {
  return runComponentId;
}

/** A revision's sensitive outputs: the component whose outputs they are. */
export function revisionOutputsContext(componentId: string): string {
  return componentId;
}
