/** Field rules shared by the sections of `bosun.yml` (repo-config.ts composes them). */

import { z } from "zod";

/** Stack, environment and policy names: they end up in check run names, URLs and TF_VAR values. */
const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const MAX_NAME_LENGTH = 64;
const NAME_RULE = "lowercase letters, digits, - and _, starting with a letter or digit";

export const nameSchema = (what: string) =>
  z
    .string()
    .max(MAX_NAME_LENGTH, `${what} names have at most ${MAX_NAME_LENGTH} characters`)
    .regex(NAME_PATTERN, `${what} names are ${NAME_RULE}`);

/** Terraform's identifier rule, which input variables and outputs follow. */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
export const identifierSchema = (what: string) =>
  z
    .string()
    .regex(
      IDENTIFIER_PATTERN,
      `${what}s are letters, digits, _ and -, starting with a letter or _`,
    );

/** Rejects repeats in a list where order carries no meaning and a repeat is a slip. */
export function uniqueList<T extends z.ZodType<string>>(item: T, what: string) {
  return z.array(item).superRefine((values, ctx) => {
    values.forEach((value, index) => {
      const first = values.indexOf(value);
      if (first !== index) {
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `${what} "${value}" is already listed at [${first}]`,
        });
      }
    });
  });
}
