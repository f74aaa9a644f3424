import { describe, expect, it } from "vitest";
import { commandKinds, MAX_COMMAND_ARGUMENTS, type Command } from "../../../src/domain/command.js";
import { HELP_TEXT } from "../../../src/domain/command-help.js";
import { parseCommand } from "../../../src/domain/parse-command.js";

const RUN = "0f8c4c52-4b0e-4a57-9d3c-2f5b1a7e9c10";

describe("parseCommand: which line counts", () => {
  it.each([
    ["an empty comment", ""],
    ["prose", "LGTM, thanks!"],
    ["a command after prose", "Looks good.\n/apply"],
    ["a quoted command", "> /apply"],
    ["a quoted command then prose", "> /apply\nI would not do that"],
    ["a fenced command", "```\n/apply\n```"],
    ["a command in an unclosed fence", "```sh\n/apply"],
    ["a tilde-fenced command", "~~~\n/apply\n~~~"],
    ["a path", "/usr/bin/tofu is missing on the runner"],
    ["a lone slash", "/ shrug"],
    ["a slash then a digit", "/1 is not a command"],
    ["an HTML comment first", "<!-- bot -->\n/apply"],
  ])("ignores %s", (_, body) => {
    expect(parseCommand(body)).toEqual({ kind: "ignore" });
  });

  it.each([
    ["the first line", "/apply", { kind: "apply", stacks: [], environment: undefined }],
    ["after blank lines and indentation", "\n\n   /help  \n", { kind: "help" }],
    [
      "after a quote",
      "> can we ship?\n\n/plan",
      { kind: "plan", stacks: [], environment: undefined },
    ],
    [
      "after a fenced block",
      "```\nplan output\n```\n/discard -e dev",
      { kind: "discard", environment: "dev" },
    ],
    [
      "when a longer fence holds a shorter one",
      "````\n```\n/apply\n```\n````\n/help",
      { kind: "help" },
    ],
    ["with CRLF line ends, reading one line only", "/help\r\n/apply", { kind: "help" }],
    ["followed by prose", "/apply\nship it", { kind: "apply", stacks: [], environment: undefined }],
  ] as [string, string, Command][])("reads a command on %s", (_, body, command) => {
    expect(parseCommand(body)).toEqual({ kind: "command", command });
  });
});

describe("parseCommand: commands", () => {
  it.each([
    ["/plan", { kind: "plan", stacks: [], environment: undefined }],
    ["/plan network app", { kind: "plan", stacks: ["network", "app"], environment: undefined }],
    ["/plan network network", { kind: "plan", stacks: ["network"], environment: undefined }],
    ["/plan -e prod", { kind: "plan", stacks: [], environment: "prod" }],
    ["/plan -e=prod network", { kind: "plan", stacks: ["network"], environment: "prod" }],
    ["/plan --env prod", { kind: "plan", stacks: [], environment: "prod" }],
    ["/plan --env=prod", { kind: "plan", stacks: [], environment: "prod" }],
    ["/plan\tnetwork\t -e   dev", { kind: "plan", stacks: ["network"], environment: "dev" }],
    ["/apply", { kind: "apply", stacks: [], environment: undefined }],
    ["/apply app -e dev", { kind: "apply", stacks: ["app"], environment: "dev" }],
    ["/discard", { kind: "discard", environment: undefined }],
    ["/discard -e dev", { kind: "discard", environment: "dev" }],
    [
      "/replan -target=aws_instance.web",
      { kind: "replan", targets: ["aws_instance.web"], environment: undefined },
    ],
    [
      '/replan -target module.app["eu-west-1"].aws_s3_bucket.logs -e prod',
      {
        kind: "replan",
        targets: ['module.app["eu-west-1"].aws_s3_bucket.logs'],
        environment: "prod",
      },
    ],
    [
      "/replan -target=module.vpc -target=data.aws_ami.base[0] -target=module.vpc",
      { kind: "replan", targets: ["module.vpc", "data.aws_ami.base[0]"], environment: undefined },
    ],
    [
      '/replan -target=module.a[0].module.b["k"].data.x_y.z -target=_t.n-1',
      {
        kind: "replan",
        targets: ['module.a[0].module.b["k"].data.x_y.z', "_t.n-1"],
        environment: undefined,
      },
    ],
    ["/destroy network -e dev", { kind: "destroy", stack: "network", environment: "dev" }],
    ["/destroy -e=dev network", { kind: "destroy", stack: "network", environment: "dev" }],
    ["/promote prod", { kind: "promote", environment: "prod" }],
    ["/revert", { kind: "revert", run: undefined }],
    [`/revert ${RUN.toUpperCase()}`, { kind: "revert", run: RUN }],
    ["/help", { kind: "help" }],
  ] as [string, Command][])("%s", (body, command) => {
    expect(parseCommand(body)).toEqual({ kind: "command", command });
  });
});

describe("parseCommand: errors", () => {
  it.each([
    ["/lgtm", "unknown command `/lgtm`"],
    ["/Plan", "unknown command `/Plan`: commands are lower case, as in `/plan`"],
    ["/plan --force", "unknown flag `--force` (usage: `/plan [STACK…] [-e ENV]`)"],
    ["/plan -e", "`-e` needs an environment name (usage: `/plan [STACK…] [-e ENV]`)"],
    ["/plan -e=", "`-e` needs an environment name (usage: `/plan [STACK…] [-e ENV]`)"],
    ["/plan -e -e dev", "`-e` needs an environment name (usage: `/plan [STACK…] [-e ENV]`)"],
    ["/plan --env", "`--env` needs an environment name (usage: `/plan [STACK…] [-e ENV]`)"],
    ["/plan -e dev -e prod", "the environment is given twice (`dev` and `prod`)"],
    [
      "/plan -e Prod",
      "`Prod` is not an environment name: names are lowercase letters, digits, - and _, starting with a letter or digit",
    ],
    [
      "/plan Network",
      "`Network` is not a stack name: names are lowercase letters, digits, - and _, starting with a letter or digit",
    ],
    [
      "/plan ../etc",
      "`../etc` is not a stack name: names are lowercase letters, digits, - and _, starting with a letter or digit",
    ],
    [
      "/plan -target=aws_instance.web",
      "`/plan` does not take `-target` (usage: `/plan [STACK…] [-e ENV]`)",
    ],
    ["/discard network", "unexpected `network` (usage: `/discard [-e ENV]`)"],
    [
      "/replan",
      "`/replan` needs at least one `-target=ADDR` (usage: `/replan -target=ADDR… [-e ENV]`)",
    ],
    [
      "/replan aws_instance.web",
      "unexpected `aws_instance.web`: targets are given as `-target=ADDR` (usage: `/replan -target=ADDR… [-e ENV]`)",
    ],
    [
      "/replan -target",
      "`-target` needs a resource address, as in `-target=module.vpc.aws_subnet.a`",
    ],
    [
      "/replan -target=",
      "`-target` needs a resource address, as in `-target=module.vpc.aws_subnet.a`",
    ],
    ["/destroy", "`/destroy` needs a stack (usage: `/destroy STACK -e ENV`)"],
    ["/destroy network", "`/destroy` needs an environment (usage: `/destroy STACK -e ENV`)"],
    ["/destroy network app -e dev", "unexpected `app` (usage: `/destroy STACK -e ENV`)"],
    ["/promote", "`/promote` needs the environment to promote to (usage: `/promote ENV`)"],
    ["/promote dev prod", "unexpected `prod` (usage: `/promote ENV`)"],
    ["/promote -e prod", "`/promote` does not take `-e` (usage: `/promote ENV`)"],
    ["/revert last", "`last` is not a run id (a UUID, as on the run's page)"],
    [`/revert ${RUN} ${RUN}`, `unexpected \`${RUN}\` (usage: \`/revert [RUN]\`)`],
    ["/help me", "unexpected `me` (usage: `/help`)"],
    ["/help a b c d e", "unexpected `a`, `b`, `c` and 2 more (usage: `/help`)"],
  ])("%s", (body, message) => {
    expect(parseCommand(body)).toEqual({ kind: "error", message });
  });

  it.each([
    ["flag smuggling", "-target=-var=x"],
    ["flag smuggling through a separate value", "-target -var-file=/etc/passwd"],
    ["a space inside the key", '-target=module.x["a'],
    ["a single-quoted key", "-target=module.x['a']"],
    ["a quote outside brackets", '-target=aws_instance."web"'],
    ["command substitution", "-target=aws_instance.$(id)"],
    ["a backtick", "-target=aws_instance.`id`"],
    ["a pipe", "-target=aws_instance.web|cat"],
    ["a semicolon", "-target=aws_instance.web;rm"],
    ["a dollar in the key", '-target=module.x["$HOME"]'],
    ["a backslash in the key", '-target=module.x["a\\"]'],
    ["a type alone", "-target=aws_instance"],
    ["a trailing dot", "-target=aws_instance.web."],
    ["an unclosed index", "-target=aws_instance.web[0"],
    ["a negative index", "-target=aws_instance.web[-1]"],
    ["data without a type", "-target=data.x"],
    ["a module with a bare name after it", "-target=module.x.y"],
    ["a leading digit", "-target=1aws.web"],
    ["a path", "-target=../x.y"],
  ])("refuses a target with %s", (_, target) => {
    const result = parseCommand(`/replan ${target}`);
    expect(result.kind).toBe("error");
  });

  it("refuses a target over the length limit", () => {
    const result = parseCommand(`/replan -target=a.${"b".repeat(1100)}`);
    expect(result).toMatchObject({ kind: "error" });
  });

  it("limits the number of stacks", () => {
    const stacks = Array.from({ length: MAX_COMMAND_ARGUMENTS + 1 }, (_, i) => `s${i}`);
    expect(parseCommand(`/plan ${stacks.join(" ")}`)).toEqual({
      kind: "error",
      message: `at most ${MAX_COMMAND_ARGUMENTS} stacks in one command (${MAX_COMMAND_ARGUMENTS + 1} given)`,
    });
    expect(parseCommand(`/plan ${stacks.slice(1).join(" ")}`)).toMatchObject({ kind: "command" });
  });

  it("limits the number of targets", () => {
    const targets = Array.from({ length: MAX_COMMAND_ARGUMENTS + 1 }, (_, i) => `-target=a.r${i}`);
    expect(parseCommand(`/replan ${targets.join(" ")}`)).toMatchObject({
      kind: "error",
      message: `at most ${MAX_COMMAND_ARGUMENTS} targets in one command (${MAX_COMMAND_ARGUMENTS + 1} given)`,
    });
  });

  it("limits the length of the line", () => {
    expect(parseCommand(`/plan ${"a ".repeat(3000)}`)).toEqual({
      kind: "error",
      message: "the command is longer than 4096 characters",
    });
  });

  it.each([
    ["a mention", "/plan @org/everyone", "`@org/everyone`"],
    ["a link", "/plan [x](https://evil.example)", "`[x](https://evil.example)`"],
    ["backticks", "/plan a`b", "``a`b``"],
    ["a leading backtick", "/plan `x", "`` `x ``"],
    ["a long argument, shortened", `/plan ${"x".repeat(200)}`, `\`${"x".repeat(79)}…\``],
  ])("quotes %s from the comment as inert code", (_, body, quoted) => {
    const result = parseCommand(body);
    expect(result.kind).toBe("error");
    expect(result.kind === "error" && result.message.startsWith(`${quoted} is not`)).toBe(true);
  });
});

describe("HELP_TEXT", () => {
  it("lists every command with its usage", () => {
    for (const kind of commandKinds) expect(HELP_TEXT).toContain(`| \`/${kind}`);
    expect(HELP_TEXT).toContain("`/destroy STACK -e ENV`");
    expect(HELP_TEXT).toContain("`/replan -target=ADDR… [-e ENV]`");
  });
});

describe("parseCommand: would-be commands it cannot read", () => {
  it.each([
    ["punctuation glued on", "/plan; rm -rf /", "`;` (U+003B)"],
    ["a command substitution glued on", "/plan$(id)", "`$` (U+0024)"],
    ["a Cyrillic lookalike letter", "/\u0430pply", "U+0430"],
    ["a zero-width space", "/ap\u200Bply", "U+200B"],
  ])("answers %s with what is wrong", (_, body, named) => {
    const result = parseCommand(body);
    expect(result.kind).toBe("error");
    expect(result.kind === "error" && result.message).toContain("unknown command");
    expect(result.kind === "error" && result.message).toContain(named);
  });
});
