import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../../src/config/parse-repo-config.js";

const config = (stack: string) => `version: 1
environments:
  dev: {}
  prod: {}
stacks:
  - name: app
    dir: infra/app
    environments: [dev, prod]
${stack}`;

const parse = (stack: string) => parseRepoConfig(config(stack));

describe("bosun.yml: a stack's own backend per environment and its sources", () => {
  it("reads backend_config, workspace, source and var files shared from elsewhere", () => {
    const result = parse(`    state: own
    backend_config: { key: "app/\${environment}.tfstate", encrypt: true, max_retries: 5 }
    workspace: "app-\${environment}"
    source: full
    var_files: ["../shared.tfvars", "../../common/\${environment}.tfvars"]
`);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.config.stacks[0]).toMatchObject({
      backend_config: { key: "app/${environment}.tfstate", encrypt: "true", max_retries: "5" },
      workspace: "app-${environment}",
      source: "full",
      var_files: ["../shared.tfvars", "../../common/${environment}.tfvars"],
    });
  });

  it.each([
    [
      "backend_config without state: own",
      `    backend_config: { key: x }\n`,
      "stacks[0].backend_config",
      9,
      "needs state: own; Bosun's managed backend already keeps one state per environment",
    ],
    [
      "a workspace with state: managed",
      `    state: managed\n    workspace: dev\n`,
      "stacks[0].workspace",
      10,
      "needs state: own; Bosun's managed backend already keeps one state per environment",
    ],
    [
      "a placeholder other than ${environment} in a backend setting",
      `    state: own\n    backend_config: { key: "\${env}.tfstate" }\n`,
      "stacks[0].backend_config.key",
      10,
      "only ${environment} is substituted",
    ],
    [
      "a backend setting that is no identifier",
      `    state: own\n    backend_config: { "a=b": x }\n`,
      `stacks[0].backend_config["a=b"]`,
      10,
      "backend settings are identifiers",
    ],
    [
      "a workspace name with a slash",
      `    state: own\n    workspace: "team/\${environment}"\n`,
      "stacks[0].workspace",
      10,
      "workspace names are letters, digits, ., _ and -, with ${environment} substituted",
    ],
    [
      "a var file outside the repository",
      `    var_files: ["../../../etc/passwd"]\n`,
      "stacks[0].var_files[0]",
      9,
      "from dir infra/app it lies outside the repository; var files are read from the repository only",
    ],
    ["an unknown source", `    source: everything\n`, "stacks[0].source", 9, undefined],
  ])("refuses %s, at its line", (_name, stack, at, line, message) => {
    const result = parse(stack);
    if (result.ok) throw new Error("expected problems");
    expect(result.problems).toEqual([
      expect.objectContaining({ path: at, line, ...(message ? { message } : {}) }),
    ]);
  });
});
