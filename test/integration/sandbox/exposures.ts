/**
 * Where any of `secrets` shows in `text`: plain, base64, reversed, or reversed then base64 (each
 * base64-looking token is decoded, and both it and the whole text are read backwards too).
 * Returns the names of the secrets found.
 */
export function exposures(text: string, secrets: Readonly<Record<string, string>>): string[] {
  const reverse = (value: string) => [...value].reverse().join("");
  const readings = [text, reverse(text)];
  for (const token of text.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []) {
    const decoded = Buffer.from(token, "base64").toString("latin1");
    readings.push(decoded, reverse(decoded));
  }
  return Object.entries(secrets)
    .filter(([, secret]) => readings.some((reading) => reading.includes(secret)))
    .map(([name]) => name);
}
