import { describe, expect, it } from "vitest";
import { routeOf } from "../../../src/github/count-github-requests.js";

describe("routeOf", () => {
  it.each([
    [
      { method: "get", url: "/repos/{owner}/{repo}/pulls/{pull_number}" },
      "GET /repos/{owner}/{repo}/pulls/{pull_number}",
    ],
    // A page link: literal, with its host and query.
    [
      { method: "GET", url: "https://api.github.com/repositories/1296269/pulls/42/files?page=2" },
      "GET /repositories/{id}/pulls/{id}/files",
    ],
    [
      { method: "PATCH", url: "http://ghe.internal/api/v3/repos/acme/infra/check-runs/77" },
      "PATCH /repos/{owner}/{repo}/check-runs/{id}",
    ],
    [
      { method: "GET", url: "/repos/acme/infra/commits/0123456789abcdef0123456789abcdef01234567" },
      "GET /repos/{owner}/{repo}/commits/{sha}",
    ],
    [{}, "GET "],
  ])("%o is %s", (request, route) => {
    expect(routeOf(request)).toBe(route);
  });
});
