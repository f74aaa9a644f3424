/**
 * A request's path without its query and trailing slashes ("/" when nothing is left), in time
 * linear in the URL's length. The URL is the client's: a regular expression such as /\/+$/ takes
 * quadratic time on a long run of slashes that does not end the string.
 */
export function requestPathname(url: string): string {
  const query = url.indexOf("?");
  let end = query < 0 ? url.length : query;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end -= 1;
  return end === 0 ? "/" : url.slice(0, end);
}
