import type { EngineKind } from "./engine-kind.js";

/**
 * Engine version constraints in Terraform's syntax (developer.hashicorp.com/terraform/language/
 * expressions/version-constraints), which OpenTofu shares: comma-separated terms, each an operator
 * (`=`, `!=`, `>`, `>=`, `<`, `<=`, `~>`; none means `=`) and a version of one to three numbers,
 * optionally with a prerelease suffix.
 */

export interface EngineVersion {
  /** Major, minor and patch; segments a constraint leaves out count as 0. */
  numbers: [number, number, number];
  /** How many segments were written: `~>` reads its upper bound from it. */
  segments: 1 | 2 | 3;
  /** `beta1` of `1.12.0-beta1`; empty for a release. */
  prerelease: string;
  text: string;
}

type Operator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "~>";

interface Term {
  operator: Operator;
  version: EngineVersion;
}

export type EngineConstraint = readonly Term[];

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*))?$/;
const TERM = /^(!=|>=|<=|~>|=|>|<)?\s*(\S+)$/;

/** A version, or undefined when it is not one (a directory name, a bad term). */
export function parseEngineVersion(text: string): EngineVersion | undefined {
  const match = VERSION.exec(text);
  if (!match) return undefined;
  const [, major, minor, patch, prerelease] = match;
  const numbers = [major, minor, patch].map((n) => Number(n ?? 0)) as [number, number, number];
  if (numbers.some((n) => !Number.isSafeInteger(n))) return undefined;
  const segments = patch !== undefined ? 3 : minor !== undefined ? 2 : 1;
  return { numbers, segments, prerelease: prerelease ?? "", text: text.replace(/^v/, "") };
}

/** The constraint, or why it is not one: said beside the bosun.yml line that holds it. */
export function parseEngineConstraint(
  text: string,
): { ok: true; constraint: EngineConstraint } | { ok: false; problem: string } {
  const terms: Term[] = [];
  for (const raw of text.split(",")) {
    const part = raw.trim();
    const match = TERM.exec(part);
    const version = match?.[2] === undefined ? undefined : parseEngineVersion(match[2]);
    if (!match || !version) {
      return {
        ok: false,
        problem: `${JSON.stringify(part)} is not a version constraint: write an operator (=, !=, >, >=, <, <=, ~>) and a version such as 1.11 or 1.11.5, terms separated by commas`,
      };
    }
    terms.push({ operator: (match[1] ?? "=") as Operator, version });
  }
  return { ok: true, constraint: terms };
}

/** Orders versions as Terraform does: numbers first, then a prerelease before its release. */
export function compareEngineVersions(a: EngineVersion, b: EngineVersion): number {
  for (let i = 0; i < 3; i++) {
    const diff = a.numbers[i]! - b.numbers[i]!;
    if (diff !== 0) return Math.sign(diff);
  }
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === "") return 1;
  if (b.prerelease === "") return -1;
  return comparePrereleases(a.prerelease, b.prerelease);
}

function comparePrereleases(a: string, b: string): number {
  const left = a.split(/[.-]/);
  const right = b.split(/[.-]/);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    const diff = numeric ? Number(x) - Number(y) : x.localeCompare(y, "en");
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/**
 * Whether `version` satisfies every term. A prerelease is chosen only when a term names it
 * exactly (`= 1.12.0-beta1`): Terraform's rule, so a range never picks up an unfinished release.
 */
export function satisfiesConstraint(version: EngineVersion, constraint: EngineConstraint): boolean {
  if (
    version.prerelease !== "" &&
    !constraint.some(
      (term) => term.operator === "=" && compareEngineVersions(term.version, version) === 0,
    )
  ) {
    return false;
  }
  return constraint.every((term) => satisfiesTerm(version, term));
}

function satisfiesTerm(version: EngineVersion, { operator, version: bound }: Term): boolean {
  const order = compareEngineVersions(version, bound);
  switch (operator) {
    case "=":
      return order === 0;
    case "!=":
      return order !== 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case "~>":
      return order >= 0 && compareEngineVersions(version, pessimisticCeiling(bound)) < 0;
  }
}

/**
 * The first version `~>` refuses: the rightmost written segment may grow, the one before it
 * may not (`~> 1.11` stays below 2.0, `~> 1.11.5` below 1.12; `~> 1` as `~> 1.0`).
 */
function pessimisticCeiling(bound: EngineVersion): EngineVersion {
  const [major, minor] = bound.numbers;
  const numbers: [number, number, number] =
    bound.segments === 3 ? [major, minor + 1, 0] : [major + 1, 0, 0];
  // A prerelease ceiling such as 2.0.0-0 would sort before 2.0.0's own prereleases: none is
  // chosen by a range anyway, so the release is the ceiling.
  return { numbers, segments: 3, prerelease: "", text: numbers.join(".") };
}

/** The newest of `installed` (version texts) that satisfies the constraint. */
export function newestSatisfying(
  installed: readonly string[],
  constraint: EngineConstraint,
): string | undefined {
  return installed
    .map(parseEngineVersion)
    .filter((version): version is EngineVersion => version !== undefined)
    .filter((version) => satisfiesConstraint(version, constraint))
    .sort(compareEngineVersions)
    .at(-1)?.text;
}

/** The engine as its vendor names it. */
export function engineName(kind: EngineKind): string {
  return kind === "opentofu" ? "OpenTofu" : "Terraform";
}

/** "OpenTofu 1.11.5": how run pages, the runs table and check runs name an engine. */
export function engineLabel(kind: EngineKind, version: string): string {
  return `${engineName(kind)} ${version}`;
}
