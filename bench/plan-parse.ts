/*
 * How long parsing and summarising a plan takes, and how much memory it needs.
 * Run: npx tsx bench/plan-parse.ts
 *
 * Targets: a 10,000-resource plan parsed and summarised in under 2 s, peak RSS under 400 MB.
 * The 10,000-resource plan is SYNTHETIC: real resource_changes entries from the fixtures,
 * replicated under distinct addresses (no clearly licensed real plan that large exists, see
 * test/fixtures/plan-json/SOURCES.md).
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { summarisePlan } from "../src/domain/plan-summary.js";
import { collectSensitiveValues } from "../src/domain/sensitive-values.js";
import { parsePlanJson } from "../src/runner/plan-json.js";

const fixtureDir = new URL("../test/fixtures/plan-json/", import.meta.url);
const LARGEST = "tofu-equivalence_complex-nested-update-normalized_LARGEST.json";
// Together these hold every kind of change: nested modules, replaces, sensitive attributes,
// imports, moves, forgets, data sources, and the deeply nested LARGEST resource.
const SOURCES = [
  "tofu-1.11.5_modules_replace-delete-create-outputs-update.json",
  "terraform-1.14.6_data-source-read-update-replace.json",
  "terraform-1.14.6_moved-import-forget.json",
  "tofu-1.11.5_sensitive-replace-sensitive-output.json",
  LARGEST,
];
const GENERATED_RESOURCES = 10_000;
const MB = 1024 * 1024;

type Json = Record<string, unknown>;

function readFixture(name: string): string {
  return readFileSync(new URL(name, fixtureDir), "utf8");
}

/** A plan of `count` resources copied round-robin from the fixtures, each under its own name. */
export function generatePlanText(count: number): string {
  const templates = SOURCES.flatMap((name) => {
    const plan = JSON.parse(readFixture(name)) as { resource_changes: Json[] };
    return plan.resource_changes;
  });
  const base = JSON.parse(readFixture(SOURCES[0] ?? LARGEST)) as Json;
  const resourceChanges = Array.from({ length: count }, (_, i) => {
    const template = templates[i % templates.length] ?? {};
    const name = `${String(template["name"])}_${i}`;
    const address = `module.shard_${i % 50}.${String(template["type"])}.${name}`;
    const copy: Json = { ...template, address, name, module_address: `module.shard_${i % 50}` };
    if (typeof template["previous_address"] === "string")
      copy["previous_address"] = `${address}_old`;
    return copy;
  });
  return JSON.stringify({ ...base, resource_changes: resourceChanges });
}

function time<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

/** Median of `runs` timings of `run`, after one warm-up. */
function medianMs(runs: number, run: () => unknown): number {
  run();
  const timings = Array.from({ length: runs }, () => time(run)[1]).sort((a, b) => a - b);
  return timings[Math.floor(timings.length / 2)] ?? Number.NaN;
}

export async function benchPlanParse(): Promise<Record<string, number>> {
  const largestText = readFixture(LARGEST);
  const largestParseMs = medianMs(20, () => parsePlanJson(largestText));
  const largestPlan = parsePlanJson(largestText);
  const largestSummariseMs = medianMs(20, () => summarisePlan(largestPlan));

  const generatedText = generatePlanText(GENERATED_RESOURCES);
  // One cold pass, as a worker would do it once per plan: parse, summarise, collect secrets.
  const [generatedPlan, generatedParseMs] = time(() => parsePlanJson(generatedText));
  const [summary, generatedSummariseMs] = time(() => summarisePlan(generatedPlan));
  const [secrets, generatedSensitiveMs] = time(() => collectSensitiveValues(generatedPlan));
  if (summary.resources.length !== GENERATED_RESOURCES) {
    throw new Error(`generated plan summarised ${summary.resources.length} resources`);
  }

  // maxRSS is the whole process's peak so far (KiB on Linux), generation included: an upper bound.
  const figures: Record<string, number> = {
    largestBytes: Buffer.byteLength(largestText),
    largestParseMs: round(largestParseMs),
    largestSummariseMs: round(largestSummariseMs),
    generatedResources: summary.resources.length,
    generatedBytes: Buffer.byteLength(generatedText),
    generatedParseMs: round(generatedParseMs),
    generatedSummariseMs: round(generatedSummariseMs),
    generatedSensitiveValuesMs: round(generatedSensitiveMs),
    generatedTotalMs: round(generatedParseMs + generatedSummariseMs + generatedSensitiveMs),
    generatedSensitiveValues: secrets.length,
    peakRssMb: round((process.resourceUsage().maxRSS * 1024) / MB),
  };
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(28)} ${value}`);
  const fast = (figures["generatedTotalMs"] ?? Infinity) < 2000;
  const small = (figures["peakRssMb"] ?? Infinity) < 400;
  console.log(
    `targets: total < 2000 ms ${fast ? "met" : "MISSED"}, peak RSS < 400 MB ${small ? "met" : "MISSED"}`,
  );
  return figures;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchPlanParse();
}
