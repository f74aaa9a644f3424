/*
 * The tests' fake GitHub: github-fake.ts says how it works and why; repository.ts is a repository
 * answered from state, expectations.ts the single requests a test can expect by name.
 */
export { GithubFake, INSTALLATION_TOKEN, startGithubFake } from "./github-fake.js";
export type { ExpectedRequest } from "./expected-request.js";
export type { CheckRunRecord, FakeRepository } from "./repository.js";
export type { FakeReply, FakeRequest } from "./wire.js";
export * from "./expectations.js";
