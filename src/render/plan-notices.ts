/**
 * What Bosun says on a pull request it does not plan: a comment when it may not (the author cannot
 * write, the tracked branch's configuration is broken), a check run when nothing is affected.
 */

export function renderAwaitingWriter(author: string): string {
  return [
    `Bosun has not planned this pull request: its author, @${author}, does not have write permission on the repository, and a plan runs the pull request's code.`,
    "",
    "Someone with write permission can review the change and comment `/plan` to plan it.",
  ].join("\n");
}

export function renderTrackedInvalid(configFile: string, branch: string): string {
  return `Bosun cannot plan: the \`${configFile}\` on the tracked branch \`${branch}\` is invalid, and it holds the rules for who may apply. Fix it on \`${branch}\` first.`;
}

/** The title and summary of the `bosun` check run of a pull request that affects no stack. */
export function nothingAffectedOutput(configFile: string): { title: string; summary: string } {
  return {
    title: "No stacks affected",
    summary: `This pull request changes no file that a stack in \`${configFile}\` watches, so there is nothing to plan.`,
  };
}
