import { codeSpan } from "./comment-code-span.js";

const MAX_NAME_LENGTH = 64;
const MAX_ADDRESS_LENGTH = 1024;

/** bosun.yml's rule for stack and environment names (config/repo-config.ts). */
const NAME = /^[a-z0-9][a-z0-9_-]*$/;

export function nameProblem(what: "stack" | "environment", value: string): string | undefined {
  if (value.length <= MAX_NAME_LENGTH && NAME.test(value)) return undefined;
  return `${codeSpan(value)} is not ${what === "environment" ? "an" : "a"} ${what} name: names are lowercase letters, digits, - and _, starting with a letter or digit`;
}

/** A run id as the run's page shows it. */
export const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A Terraform resource address: module steps, then optionally a (data) resource, each with an
 * optional index: `module.app["eu"].data.aws_ami.base[0]`. String keys are quoted and limited to
 * characters for_each keys commonly use: no spaces, quotes, backslashes, `$` or shell
 * metacharacters, so the address is inert wherever it ends up (argv, logs, Markdown). It starts
 * with a letter, so it can never pass for a flag (`-target=-var=x`).
 * https://opentofu.org/docs/cli/state/resource-addressing/
 */
const IDENT = "[A-Za-z_][A-Za-z0-9_-]*";
const INDEX = String.raw`\[(?:[0-9]+|"[A-Za-z0-9_.:/@+=,-]*")\]`;
const MODULE = String.raw`module\.${IDENT}(?:${INDEX})?`;
const RESOURCE = String.raw`(?:data\.${IDENT}|(?!(?:module|data)\.)${IDENT})\.${IDENT}(?:${INDEX})?`;
const ADDRESS = new RegExp(String.raw`^(?:${MODULE}\.)*(?:${MODULE}|${RESOURCE})$`);

export function addressProblem(address: string): string | undefined {
  if (address.length <= MAX_ADDRESS_LENGTH && ADDRESS.test(address)) return undefined;
  return `${codeSpan(address)} is not a resource address (such as \`aws_instance.web[0]\` or \`module.app["eu"].aws_s3_bucket.logs\`)`;
}
