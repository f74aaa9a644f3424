import { interceptInProcess } from "./in-process.js";
import { listenOnLoopback, type LoopbackFront } from "./loopback.js";
import { FakeRepository } from "./repository.js";
import { siteUrlsOf } from "./sites.js";
import {
  describeExpected,
  type Expectation,
  type ExpectedRequest,
  expectationMatches,
} from "./expected-request.js";
import type { FakeReply, FakeRequest, Route, Routes, SiteUrls } from "./wire.js";

/**
 * The tests' one GitHub. A test says what GitHub holds (`repository()`: files, the pull request,
 * permissions…, answered from that state as often as asked) and which single requests it expects
 * (`expect()` and the named expectations of expectations.ts, each answered once, first declared
 * first). Every request is recorded in `requests`; one nothing expects is answered 404 and listed
 * in `unexpected`. `verify()` fails the test on those and on expectations never met.
 *
 * Two fronts reach it. In this process nock intercepts GitHub's hosts (api.github.com, github.com,
 * codeload.github.com, or the GitHub Enterprise host a test names), so a Bosun started in the test
 * needs no GitHub setting and the real network stays off. Bosun processes the test starts reach the
 * same fake on a loopback port laid out as GitHub Enterprise Server (`host`, for GHE_HOST with
 * GHE_PROTOCOL=http), since nock cannot reach into another process. Loopback for everything would
 * lose the tests of GitHub Enterprise settings, which name hosts of their own, and nock's guarantee
 * that no request leaves the machine.
 */
export class GithubFake implements Routes {
  /** Every request, in order, whatever answered it. */
  readonly requests: FakeRequest[] = [];
  /** Requests nothing expected, as `METHOD URL`. */
  readonly unexpected: string[] = [];
  /** Where GitHub is for this process: the API root given, its web host and codeload. */
  readonly urls: SiteUrls;
  private readonly expectations: Expectation[] = [];
  private readonly routes: Route[] = [];
  private answersInstallationTokens = false;
  private readonly stopIntercepting: () => void;
  /** Set by `start`, before anyone can know the fake. */
  private loopback!: LoopbackFront;

  /** Starts a fake GitHub whose REST API is at `apiUrl` in this process, and on loopback for others. */
  static async start(apiUrl = "https://api.github.com"): Promise<GithubFake> {
    const fake = new GithubFake(apiUrl);
    fake.loopback = await listenOnLoopback((request, urls) => fake.answer(request, urls));
    return fake;
  }

  private constructor(apiUrl: string) {
    this.urls = siteUrlsOf(apiUrl);
    this.stopIntercepting = interceptInProcess(
      this.urls,
      (request, urls) => this.answer(request, urls),
      (line) => this.unexpected.push(line),
    );
  }

  /** `127.0.0.1:PORT`: GHE_HOST, with GHE_PROTOCOL=http, for a Bosun process the test starts. */
  get host(): string {
    return this.loopback.host;
  }

  /** One request, answered once with `reply`; `verify()` fails when it never comes. */
  expect(request: ExpectedRequest, reply: FakeReply): void {
    this.expectations.push({ request, reply, met: false });
  }

  route(route: Route): void {
    this.routes.push(route);
  }

  /**
   * A repository on this GitHub, answering every documented endpoint Bosun uses from its state;
   * installation tokens are issued from then on, as often as asked.
   */
  repository(fullName: string): FakeRepository {
    this.answerInstallationTokens();
    return new FakeRepository(this, fullName);
  }

  /** Fails with every request nothing expected and every expectation never met. */
  verify(): void {
    const unmet = this.expectations.filter((expectation) => !expectation.met);
    const problems = [
      ...(this.unexpected.length > 0
        ? [`requests nothing expected:\n  ${this.unexpected.join("\n  ")}`]
        : []),
      ...(unmet.length > 0
        ? [
            `expected requests never made:\n  ${unmet.map((expectation) => describeExpected(expectation.request)).join("\n  ")}`,
          ]
        : []),
    ];
    if (problems.length > 0) throw new Error(`GitHub fake: ${problems.join("\n")}`);
  }

  /** Stops intercepting and listening; `requests` and `unexpected` stay to be read. */
  async close(): Promise<void> {
    this.stopIntercepting();
    await this.loopback.close();
  }

  private answer(request: FakeRequest, urls: SiteUrls): FakeReply {
    this.requests.push(request);
    const expectation = this.expectations.find(
      (candidate) => !candidate.met && expectationMatches(candidate.request, request),
    );
    if (expectation) {
      expectation.met = true;
      return expectation.reply;
    }
    const route = this.routes.find(
      (candidate) =>
        candidate.site === request.site &&
        candidate.method === request.method &&
        candidate.path.test(request.path),
    );
    if (route) return route.answer(request, urls);
    const query = request.query === "" ? "" : `?${request.query}`;
    this.unexpected.push(`${request.method} ${urls[request.site]}${request.path}${query}`);
    return {
      status: 404,
      body: { message: "Not Found (the GitHub fake expected no such request)" },
    };
  }

  private answerInstallationTokens(): void {
    if (this.answersInstallationTokens) return;
    this.answersInstallationTokens = true;
    this.route({
      site: "api",
      method: "POST",
      path: /^\/app\/installations\/\d+\/access_tokens$/,
      answer: () => ({ status: 201, body: installationToken }),
    });
  }
}

/** The token the fake issues for every installation. */
export const INSTALLATION_TOKEN = "ghs_fakeinstallationtoken";
/** POST /app/installations/{installation_id}/access_tokens, as GitHub answers it. */
export const installationToken = {
  token: INSTALLATION_TOKEN,
  expires_at: "2999-01-01T00:00:00Z",
  permissions: {},
};

export const startGithubFake = (apiUrl?: string): Promise<GithubFake> => GithubFake.start(apiUrl);
