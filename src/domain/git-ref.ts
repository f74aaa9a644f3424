/** The ref GitHub keeps for a pull request's head commit, whichever repository it came from. */
export function pullRequestRef(number: number): string {
  return `refs/pull/${number}/head`;
}
