/**
 * The title and summary that close the check run which asked for approval once its plan is
 * confirmed: the apply shows on a fresh check run of the environment.
 */
export function confirmedApplyingOutput(
  environment: string,
  runUrl: string,
): { title: string; summary: string } {
  return {
    title: "Confirmed: applying",
    summary: `This plan was confirmed and is being applied; the apply is reported on a new \`bosun/${environment}\` check run. [Run page](${runUrl})`,
  };
}
