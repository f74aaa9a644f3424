/** What a `bosun state …` or `bosun secrets …` command produced; src/cli.ts writes it out and exits with the code. */
export interface CommandResult {
  exitCode: 0 | 1;
  stdout: string | Buffer;
  stderr: string;
}
