/**
 * Signing a person in with GitHub (the App's user authorization flow) and asking what they may
 * read, with their own token. src/github/github-user-auth.ts implements it.
 */
export interface GithubUserAuth {
  /** Where the browser goes to authorize; GitHub comes back to `redirectUri` with a code. */
  authorizeUrl(input: { state: string; redirectUri: string }): string;
  /** The user's token for the code GitHub sent back; undefined when GitHub refused the code. */
  exchangeCode(input: { code: string; redirectUri: string }): Promise<string | undefined>;
  /** The signed-in user's login. */
  login(token: string): Promise<string>;
  /** Whether the user can read the repository (GitHub answers 404 when not). */
  canRead(token: string, repositoryFullName: string): Promise<boolean>;
}
