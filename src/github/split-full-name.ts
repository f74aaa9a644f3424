/** `owner/repo` → its two parts; anything else is an error naming the value. */
export function splitFullName(fullName: string): { owner: string; repo: string } {
  const [owner, repo, ...rest] = fullName.split("/");
  if (!owner || !repo || rest.length > 0) throw new Error(`not an owner/repo name: ${fullName}`);
  return { owner, repo };
}
