import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Dependency direction (CONVENTIONS.md): each folder lists what it may not import.
const github = {
  group: ["probot", "probot/*", "@octokit/*"],
  message: "only src/github imports Probot or Octokit",
};
const database = {
  group: ["drizzle-orm", "drizzle-orm/*", "postgres", "@electric-sql/*", "pg-boss"],
  message: "only src/store and src/queue reach the database",
};
const processes = { group: ["execa"], message: "only src/runner/exec.ts starts processes" };
const web = {
  group: ["hono", "hono/*", "@hono/*"],
  message: "HTTP belongs to src/web and src/state",
};
const outward = { group: ["../*"], message: "domain imports nothing outside itself" };
// Services reach the runner, the store and GitHub through ports: their types only.
const adapters = {
  group: ["../runner/*", "../store/*", "../github/*", "../notify/*"],
  allowTypeImports: true,
  message:
    "services reach the runner, the store, GitHub and notification receivers through ports (src/services/*-port.ts)",
};
const configReach = {
  group: [
    "../*",
    "!../domain",
    "!../domain/*",
    "!../lib",
    "!../lib/*",
    "!../policy",
    "!../policy/*",
  ],
  message: "config imports only domain, lib and policy (it is read by every side)",
};

// Every GitHub write goes through the reporter (src/services/reporter/), the one holder of a
// GithubRepoWriter; the adapter's write modules, which implement the port, are the other place
// these are called.
const githubWrites =
  "createCheckRun|updateCheckRun|createComment|updateComment|react|createIssue|updateIssue|createDeployment|setDeploymentStatus";
const writesThroughReporter = {
  files: ["src/**/*.ts"],
  ignores: [
    "src/services/reporter/**",
    "src/github/report-writes.ts",
    "src/github/deployment-writes.ts",
  ],
  rules: {
    "no-restricted-syntax": [
      "error",
      {
        selector: `CallExpression[callee.type='MemberExpression'][callee.property.name=/^(${githubWrites})$/]`,
        message: "GitHub writes go through the reporter (src/services/reporter/index.ts)",
      },
    ],
  },
};

const layer = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { "no-restricted-imports": ["error", { patterns }] },
});

export default tseslint.config(
  { ignores: ["node_modules", "dist", ".dist-*", ".bosun", ".scratch", "migrations", "coverage"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  // Type-aware rules on the product: a promise nobody awaits loses its failure, and a switch over
  // a closed set (phases, run kinds, requirements) must name every member or say `default`.
  {
    files: ["src/**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  writesThroughReporter,
  layer(["src/domain/**/*.ts"], [github, database, processes, web, outward]),
  layer(["src/services/**/*.ts"], [github, database, processes, web, adapters]),
  layer(
    ["src/render/**/*.ts", "src/lib/**/*.ts", "src/identity/**/*.ts"],
    [github, database, processes, web],
  ),
  layer(["src/config/**/*.ts"], [github, database, processes, web, configReach]),
  layer(["src/runner/**/*.ts"], [github, database, processes, web], ["src/runner/exec.ts"]),
  layer(["src/runner/exec.ts"], [github, database, web]),
  layer(["src/store/**/*.ts", "src/queue/**/*.ts"], [github, processes, web]),
  layer(
    ["src/web/**/*.ts", "src/state/**/*.ts", "src/worker/**/*.ts"],
    [github, database, processes],
  ),
  layer(["src/github/**/*.ts"], [database, processes]),
  // The Prometheus adapter behind src/services/metrics-port.ts.
  layer(["src/metrics/**/*.ts"], [github, database, processes, web]),
  // Outgoing notifications (webhooks, Slack): adapters behind src/services/notification-port.ts.
  layer(["src/notify/**/*.ts"], [github, database, processes, web]),
  layer(
    ["test/**/*.ts"],
    [
      {
        group: ["nock"],
        message: "use test/helpers/github-fake/, which fails on unexpected and unused requests",
      },
    ],
    ["test/helpers/github-fake/in-process.ts"],
  ),
);
