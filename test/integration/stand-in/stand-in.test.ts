import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parsePlanJson } from "../../../src/runner/plan-json.js";
import { parseUiStream } from "../../../src/runner/ui-stream.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const TOFU = path.resolve(here, "../../stand-in/bin/tofu");
const TERRAFORM = path.resolve(here, "../../stand-in/bin/terraform");
const FIXTURES = path.resolve(here, "../../fixtures");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (lines that are not JSON are skipped). */
  lines: Record<string, unknown>[];
}

/** Runs the stand-in asynchronously (the http tests serve requests from this process). */
function run(
  bin: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: options.cwd,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const lines = stdout.split("\n").flatMap((l) => {
        try {
          const v: unknown = JSON.parse(l);
          return v && typeof v === "object" && !Array.isArray(v)
            ? [v as Record<string, unknown>]
            : [];
        } catch {
          return [];
        }
      });
      resolve({ code, stdout, stderr, lines });
    });
  });
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function workdir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "standin-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

const MAIN_TF = `
variable "label" {
  default = "one"
}
variable "token" {
  default   = "hunter2"
  sensitive = true
}
resource "null_resource" "a" {
  triggers = { label = var.label }
}
resource "null_resource" "b" {
  count    = 2
  triggers = { parent = null_resource.a.id, index = count.index }
}
output "a_id" {
  value = null_resource.a.id
}
output "token" {
  value     = var.token
  sensitive = true
}
`;

const PLAN = ["plan", "-input=false", "-out=plan.bin", "-json", "-detailed-exitcode"];

/**
 * Every line of a -json stream must be JSON that Bosun's own parser accepts ("unknown" is a real
 * message type Bosun does not model, such as refresh_start).
 */
function expectValidStream(result: Result): void {
  const bad = parseUiStream(result.stdout).filter((l) => l.type === "invalid" || l.type === "text");
  expect(bad).toEqual([]);
}

function ofType(result: Result, type: string): Record<string, unknown>[] {
  return result.lines.filter((l) => l["type"] === type);
}

function diagnostics(result: Result): { severity: string; summary: string; detail: string }[] {
  return ofType(result, "diagnostic").map(
    (l) => l["diagnostic"] as { severity: string; summary: string; detail: string },
  );
}

async function initialised(files: Record<string, string>, bin = TOFU): Promise<string> {
  const cwd = await workdir(files);
  const init = await run(bin, ["init", "-input=false", "-no-color"], { cwd });
  expect(init.code, init.stderr).toBe(0);
  return cwd;
}

async function planAndApply(cwd: string, env: Record<string, string> = {}): Promise<void> {
  const plan = await run(TOFU, [...PLAN.slice(0, 2), "-out=first.bin", ...PLAN.slice(3)], {
    cwd,
    env,
  });
  expect(plan.code, plan.stdout + plan.stderr).toBe(2);
  const apply = await run(TOFU, ["apply", "-input=false", "-json", "first.bin"], { cwd, env });
  expect(apply.code, apply.stdout + apply.stderr).toBe(0);
}

describe.concurrent("stand-in engine", () => {
  it("prints version -json in the real shapes", async () => {
    const cwd = await workdir({});
    const tofu = await run(TOFU, ["version", "-json"], { cwd });
    expect(tofu.code).toBe(0);
    expect(JSON.parse(tofu.stdout)).toMatchObject({
      terraform_version: "1.11.5",
      platform: expect.stringMatching(/^[a-z0-9]+_[a-z0-9]+$/),
      provider_selections: {},
    });
    expect(tofu.stdout).toContain('\n  "terraform_version"');
    const tf = await run(TERRAFORM, ["-version"], { cwd });
    expect(tf.stdout).toMatch(/^Terraform v1\.14\.6\n/);
    const tfJson = JSON.parse((await run(TERRAFORM, ["version", "-json"], { cwd })).stdout);
    expect(tfJson).toMatchObject({ terraform_version: "1.14.6", terraform_outdated: false });
  });

  it("refuses plan, apply, show and output before init, naming the flavour's binary", async () => {
    const cwd = await workdir({ "main.tf": MAIN_TF });
    const plan = await run(TOFU, PLAN, { cwd });
    expect(plan.code).toBe(1);
    expect(plan.lines[0]).toMatchObject({ type: "version", tofu: "1.11.5", ui: "1.2" });
    expect(diagnostics(plan)[0]?.summary).toBe(
      'Backend initialization required, please run "tofu init"',
    );
    const tf = await run(TERRAFORM, ["output", "-json"], { cwd });
    expect(tf.code).toBe(1);
    expect(tf.stderr).toContain('Backend initialization required, please run "terraform init"');
    const show = await run(TOFU, ["show", "-json"], { cwd });
    expect(show.code).toBe(1);
  });

  it("runs init, plan, show, apply, output and a second plan with local state", async () => {
    const cwd = await workdir({ "main.tf": MAIN_TF });
    const init = await run(TOFU, ["init", "-input=false", "-no-color"], { cwd });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("OpenTofu has been successfully initialized!");
    expect(await readFile(path.join(cwd, ".terraform.lock.hcl"), "utf8")).toContain(
      'provider "registry.opentofu.org/hashicorp/null"',
    );

    const plan = await run(TOFU, PLAN, { cwd });
    expect(plan.code, plan.stderr).toBe(2);
    expectValidStream(plan);
    expect(plan.lines[0]).toMatchObject({
      "@level": "info",
      "@message": "OpenTofu 1.11.5",
      "@module": "tofu.ui",
      tofu: "1.11.5",
      type: "version",
      ui: "1.2",
    });
    expect(ofType(plan, "planned_change").map((l) => l["@message"])).toEqual([
      "null_resource.a: Plan to create",
      "null_resource.b[0]: Plan to create",
      "null_resource.b[1]: Plan to create",
    ]);
    expect(ofType(plan, "change_summary")[0]?.["changes"]).toEqual({
      add: 3,
      change: 0,
      import: 0,
      remove: 0,
      forget: 0,
      operation: "plan",
    });
    expect(ofType(plan, "outputs")[0]?.["outputs"]).toEqual({
      a_id: { sensitive: false, action: "create" },
      token: { sensitive: true, action: "create" },
    });

    const show = await run(TOFU, ["show", "-json", "plan.bin"], { cwd });
    expect(show.code).toBe(0);
    expect(show.stdout.endsWith("}\n")).toBe(true);
    expect(show.stdout.trimEnd()).not.toContain("\n");
    const parsed = parsePlanJson(show.stdout);
    expect(parsed.resource_changes.map((rc) => [rc.address, rc.change.actions])).toEqual([
      ["null_resource.a", ["create"]],
      ["null_resource.b[0]", ["create"]],
      ["null_resource.b[1]", ["create"]],
    ]);
    const b0 = parsed.resource_changes[1];
    expect(b0).toMatchObject({
      mode: "managed",
      type: "null_resource",
      name: "b",
      index: 0,
      provider_name: "registry.opentofu.org/hashicorp/null",
    });
    expect(b0?.change).toEqual({
      actions: ["create"],
      before: null,
      after: { triggers: { index: "0" } },
      after_unknown: { id: true, triggers: { parent: true } },
      before_sensitive: false,
      after_sensitive: { triggers: {} },
    });
    expect(parsed.output_changes["token"]).toMatchObject({
      after: "hunter2",
      after_sensitive: true,
    });
    expect(parsed.output_changes["a_id"]).toMatchObject({
      actions: ["create"],
      after_unknown: true,
    });
    expect(parsed.configuration?.root_module?.variables?.["token"]?.sensitive).toBe(true);
    const fixture = JSON.parse(
      await readFile(
        path.join(
          FIXTURES,
          "plan-json/tofu-1.11.5_modules_replace-delete-create-outputs-update.json",
        ),
        "utf8",
      ),
    ) as Record<string, unknown>;
    const document = JSON.parse(show.stdout) as Record<string, unknown>;
    // The fixture has a prior state; everything else must line up key for key.
    expect(Object.keys(document).sort()).toEqual(
      Object.keys(fixture)
        .filter((k) => k !== "prior_state")
        .concat("variables")
        .sort(),
    );

    const human = await run(TOFU, ["show", "-no-color", "plan.bin"], { cwd });
    expect(human.stdout).toContain("  # null_resource.a will be created");
    expect(human.stdout).toContain("Plan: 3 to add, 0 to change, 0 to destroy.");

    const apply = await run(TOFU, ["apply", "-input=false", "-json", "plan.bin"], { cwd });
    expect(apply.code, apply.stdout).toBe(0);
    expectValidStream(apply);
    const hooks = apply.lines.filter((l) => String(l["type"]).startsWith("apply_"));
    // An instant resource reports no progress, as with the real Terraform 1.11.4.
    expect(
      hooks.map(
        (l) =>
          `${String(l["type"])} ${(l["hook"] as { resource: { addr: string } }).resource.addr}`,
      ),
    ).toEqual([
      "apply_start null_resource.a",
      "apply_complete null_resource.a",
      "apply_start null_resource.b[0]",
      "apply_complete null_resource.b[0]",
      "apply_start null_resource.b[1]",
      "apply_complete null_resource.b[1]",
    ]);
    expect(ofType(apply, "change_summary")[0]?.["changes"]).toMatchObject({
      add: 3,
      operation: "apply",
    });
    const applied = ofType(apply, "outputs")[0]?.["outputs"] as Record<string, unknown>;
    expect(applied["token"]).toEqual({ sensitive: true, type: "string" });

    const state = JSON.parse(await readFile(path.join(cwd, "terraform.tfstate"), "utf8")) as {
      serial: number;
      lineage: string;
      version: number;
      resources: {
        instances: { attributes: { id: string; triggers: Record<string, string> } }[];
      }[];
    };
    expect(state).toMatchObject({ version: 4, serial: 1, check_results: null });
    expect(state.lineage).toMatch(/^[0-9a-f-]{36}$/);
    const aId = state.resources[0]?.instances[0]?.attributes.id;
    expect(state.resources[1]?.instances[1]?.attributes.triggers).toEqual({
      parent: aId,
      index: "1",
    });

    const outputs = await run(TOFU, ["output", "-json"], { cwd });
    expect(outputs.stdout).toBe(
      JSON.stringify(
        {
          a_id: { sensitive: false, type: "string", value: aId },
          token: { sensitive: true, type: "string", value: "hunter2" },
        },
        null,
        2,
      ) + "\n",
    );
    expect((await run(TOFU, ["output", "-json", "a_id"], { cwd })).stdout).toBe(`"${aId}"\n`);
    const missing = await run(TOFU, ["output", "-json", "nope"], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Output "nope" not found');

    const again = await run(TOFU, PLAN, { cwd });
    expect(again.code).toBe(0);
    expect(ofType(again, "planned_change")).toEqual([]);
    const noChanges = await run(TOFU, ["show", "-no-color", "plan.bin"], { cwd });
    expect(noChanges.stdout).toContain(
      "No changes. Your infrastructure matches the configuration.",
    );

    // An update in place, with the id kept.
    const update = await run(TOFU, [...PLAN, "-var=label=two"], { cwd });
    expect(update.code).toBe(2);
    const upd = parsePlanJson((await run(TOFU, ["show", "-json", "plan.bin"], { cwd })).stdout);
    expect(
      upd.resource_changes.find((rc) => rc.address === "null_resource.a")?.change,
    ).toMatchObject({
      actions: ["update"],
      before: { id: aId, triggers: { label: "one" } },
      after: { id: aId, triggers: { label: "two" } },
    });

    // An output-only change still exits 2.
    await writeFile(path.join(cwd, "extra.tf"), 'output "label" {\n  value = var.label\n}\n');
    const outputOnly = await run(TOFU, PLAN, { cwd });
    expect(outputOnly.code).toBe(2);
    expect(ofType(outputOnly, "planned_change")).toEqual([]);
    expect(ofType(outputOnly, "outputs")[0]?.["outputs"]).toMatchObject({
      label: { action: "create" },
    });
  });

  it("reports a stale plan and a plan from another lineage without applying", async () => {
    const cwd = await initialised({ "main.tf": MAIN_TF });
    await planAndApply(cwd);
    const p1 = await run(TOFU, [...PLAN.slice(0, 2), "-out=p1", "-json", "-var=label=x"], { cwd });
    const p2 = await run(TOFU, [...PLAN.slice(0, 2), "-out=p2", "-json", "-var=label=y"], { cwd });
    expect([p1.code, p2.code]).toEqual([0, 0]);
    expect((await run(TOFU, ["apply", "-input=false", "-json", "p1"], { cwd })).code).toBe(0);
    const before = await readFile(path.join(cwd, "terraform.tfstate"), "utf8");
    const stale = await run(TOFU, ["apply", "-input=false", "-json", "p2"], { cwd });
    expect(stale.code).toBe(1);
    expectValidStream(stale);
    expect(stale.lines.at(-1)).toMatchObject({
      "@level": "error",
      "@message": "Error: Saved plan is stale",
      type: "diagnostic",
    });
    expect(ofType(stale, "apply_start")).toEqual([]);
    expect(await readFile(path.join(cwd, "terraform.tfstate"), "utf8")).toBe(before);

    const p3 = await run(TOFU, [...PLAN.slice(0, 2), "-out=p3", "-json", "-var=label=z"], { cwd });
    expect(p3.code).toBe(0);
    const state = JSON.parse(before) as { lineage: string };
    state.lineage = "00000000-0000-0000-0000-000000000000";
    await writeFile(path.join(cwd, "terraform.tfstate"), JSON.stringify(state));
    const other = await run(TOFU, ["apply", "-input=false", "-json", "p3"], { cwd });
    expect(other.code).toBe(1);
    expect(diagnostics(other)[0]).toMatchObject({
      severity: "error",
      summary: "Saved plan does not match the given state",
    });
  });

  it("treats a plan from an empty state as stale once the state has been written", async () => {
    const cwd = await initialised({ "main.tf": MAIN_TF });
    const p1 = await run(TOFU, [...PLAN.slice(0, 2), "-out=p1", "-json"], { cwd });
    const p2 = await run(TOFU, [...PLAN.slice(0, 2), "-out=p2", "-json"], { cwd });
    expect([p1.code, p2.code]).toEqual([0, 0]);
    expect((await run(TOFU, ["apply", "-input=false", "-json", "p1"], { cwd })).code).toBe(0);
    const second = await run(TOFU, ["apply", "-input=false", "-json", "p2"], { cwd });
    expect(second.code).toBe(1);
    expect(diagnostics(second)[0]?.summary).toBe("Saved plan is stale");
  });

  it("plans -destroy as all deletes and -target with the targeting warning", async () => {
    const cwd = await initialised({ "main.tf": MAIN_TF });
    await planAndApply(cwd);
    const target = await run(TOFU, [...PLAN, "-var=label=t", "-target=null_resource.a"], { cwd });
    expect(target.code).toBe(2);
    expectValidStream(target);
    expect(diagnostics(target)).toEqual([
      expect.objectContaining({ severity: "warning", summary: "Resource targeting is in effect" }),
    ]);
    expect(target.lines.at(-1)?.["@level"]).toBe("warn");
    const targeted = parsePlanJson(
      (await run(TOFU, ["show", "-json", "plan.bin"], { cwd })).stdout,
    );
    expect(targeted.resource_changes.map((rc) => rc.address)).toEqual(["null_resource.a"]);

    const destroy = await run(TOFU, [...PLAN, "-destroy"], { cwd });
    expect(destroy.code).toBe(2);
    expect(ofType(destroy, "change_summary")[0]?.["changes"]).toMatchObject({
      add: 0,
      remove: 3,
      operation: "plan",
    });
    const plan = parsePlanJson((await run(TOFU, ["show", "-json", "plan.bin"], { cwd })).stdout);
    expect(plan.resource_changes.every((rc) => rc.change.actions.join() === "delete")).toBe(true);
    expect(plan.planned_values["root_module"]).toEqual({});
    const apply = await run(TOFU, ["apply", "-input=false", "-json", "plan.bin"], { cwd });
    expect(apply.code).toBe(0);
    expect(ofType(apply, "change_summary")[0]?.["changes"]).toMatchObject({ remove: 3 });
    const state = JSON.parse(await readFile(path.join(cwd, "terraform.tfstate"), "utf8")) as {
      resources: unknown[];
      outputs: object;
    };
    expect(state.resources).toEqual([]);
    expect(state.outputs).toEqual({});
  });

  it("inserts TF_CLI_ARGS_plan after the subcommand and honours -chdir and TF_DATA_DIR", async () => {
    const cwd = await workdir({});
    const sub = path.join(cwd, "stack");
    await import("node:fs/promises").then((fs) => fs.mkdir(sub));
    await writeFile(path.join(sub, "main.tf"), MAIN_TF);
    const env = { TF_DATA_DIR: path.join(cwd, "data"), TF_CLI_ARGS_plan: '-var "label=from env"' };
    expect((await run(TOFU, ["-chdir=stack", "init", "-input=false"], { cwd, env })).code).toBe(0);
    const plan = await run(TOFU, ["-chdir=stack", ...PLAN], { cwd, env });
    expect(plan.code, plan.stdout).toBe(2);
    const show = await run(TOFU, ["-chdir=stack", "show", "-json", "plan.bin"], { cwd, env });
    expect(parsePlanJson(show.stdout).variables?.["label"]?.value).toBe("from env");
    // Command-line flags come after TF_CLI_ARGS_plan, so they win.
    await run(TOFU, ["-chdir=stack", ...PLAN, "-var=label=cli"], { cwd, env });
    const show2 = await run(TOFU, ["-chdir=stack", "show", "-json", "plan.bin"], { cwd, env });
    expect(parsePlanJson(show2.stdout).variables?.["label"]?.value).toBe("cli");
    // Without the same TF_DATA_DIR the init is not found.
    const lost = await run(TOFU, ["-chdir=stack", ...PLAN], { cwd });
    expect(lost.code).toBe(1);
  });

  it("fails on a missing variable, a syntax error and apply without a plan file", async () => {
    const cwd = await initialised({ "main.tf": 'variable "needed" {}\n' });
    const plan = await run(TOFU, PLAN, { cwd });
    expect(plan.code).toBe(1);
    expectValidStream(plan);
    expect(diagnostics(plan)[0]).toMatchObject({
      severity: "error",
      summary: "No value for required variable",
      range: { filename: "main.tf", start: { line: 1 } },
    });
    const viaEnv = await run(TOFU, PLAN, { cwd, env: { TF_VAR_needed: "yes" } });
    expect(viaEnv.code).toBe(0);

    const noPlan = await run(TOFU, ["apply", "-input=false", "-json"], { cwd });
    expect(noPlan.code).toBe(1);
    expect(diagnostics(noPlan)[0]?.summary).toBe("Plan file or auto-approve required");

    // A plan that fails while planning leaves an errored plan file behind, which apply refuses.
    await writeFile(path.join(cwd, "bad.tf"), 'output "o" {\n  value = null_resource.nope.id\n}\n');
    const errored = await run(TOFU, PLAN, { cwd, env: { TF_VAR_needed: "yes" } });
    expect(errored.code).toBe(1);
    expect(diagnostics(errored)[0]?.summary).toBe("Reference to undeclared resource");
    const partial = await run(TOFU, ["show", "-json", "plan.bin"], { cwd });
    expect(parsePlanJson(partial.stdout).errored).toBe(true);
    const incomplete = await run(TOFU, ["apply", "-input=false", "-json", "plan.bin"], { cwd });
    expect(incomplete.code).toBe(1);
    expect(diagnostics(incomplete)[0]?.summary).toBe("Cannot apply incomplete plan");
    await rm(path.join(cwd, "bad.tf"));

    await writeFile(path.join(cwd, "broken.tf"), 'resource "null_resource" {{\n');
    const broken = await run(TOFU, PLAN, { cwd, env: { TF_VAR_needed: "yes" } });
    expect(broken.code).toBe(1);
    expect(JSON.stringify(diagnostics(broken)[0])).toContain("broken.tf");
  });

  it("fails one resource with STANDIN_FAIL_RESOURCE and keeps what succeeded", async () => {
    const cwd = await initialised({ "main.tf": MAIN_TF });
    expect((await run(TOFU, PLAN, { cwd })).code).toBe(2);
    const apply = await run(TOFU, ["apply", "-input=false", "-json", "plan.bin"], {
      cwd,
      env: { STANDIN_FAIL_RESOURCE: "null_resource.b[1]", STANDIN_PRINT: "s3cret-marker" },
    });
    expect(apply.code).toBe(1);
    expect(ofType(apply, "apply_errored")).toHaveLength(1);
    expectValidStream(apply);

    expect(diagnostics(apply)[0]).toMatchObject({ severity: "error" });
    expect(ofType(apply, "change_summary")).toEqual([]);
    expect(ofType(apply, "log")[0]?.["@message"]).toBe("s3cret-marker");
    expect(apply.stderr).toContain("s3cret-marker");
    const state = JSON.parse(await readFile(path.join(cwd, "terraform.tfstate"), "utf8")) as {
      resources: { name: string; instances: unknown[] }[];
    };
    expect(state.resources.map((r) => [r.name, r.instances.length])).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
  });

  it("has crash, bad-JSON and invocation-log knobs", async () => {
    const cwd = await initialised({ "main.tf": MAIN_TF });
    const log = path.join(cwd, "invocations.jsonl");
    const crash = await run(TOFU, PLAN, { cwd, env: { STANDIN_CRASH: "plan", STANDIN_LOG: log } });
    expect(crash.code).toBe(11);
    expect(crash.stdout).toBe("");
    expect(crash.stderr).toContain("panic: runtime error");
    expect((await run(TOFU, PLAN, { cwd })).code).toBe(2);
    const bad = await run(TOFU, ["show", "-json", "plan.bin"], {
      cwd,
      env: { STANDIN_BAD_JSON: "show" },
    });
    expect(bad.code).toBe(0);
    expect(() => parsePlanJson(bad.stdout)).toThrow();
    const entry = JSON.parse((await readFile(log, "utf8")).trim()) as {
      argv: string[];
      env: string[];
    };
    expect(entry.argv).toEqual(PLAN);
    expect(entry.env).toContain("STANDIN_CRASH");
    expect(JSON.stringify(entry)).not.toContain(process.env["PATH"] ?? "\0");
  });

  it("streams while STANDIN_DELAY_MS holds it up, and STANDIN_IGNORE_TERM needs a tree kill", async () => {
    const cwd = await initialised({ "main.tf": MAIN_TF });
    const child = spawn(TOFU, PLAN, {
      cwd,
      env: {
        PATH: process.env["PATH"] ?? "",
        STANDIN_DELAY_MS: "20000",
        STANDIN_IGNORE_TERM: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
    let stdout = "";
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('"type":"version"')) resolve();
      }),
    );
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    // Killing the whole process group also ends the `sleep` child that holds stdout open.
    process.kill(-(child.pid ?? 0), "SIGKILL");
    await closed;
    expect(stdout).not.toContain("change_summary");
  });

  it("applies with -auto-approve and takes the http address from -backend-config", async () => {
    const server = await stateServer({});
    try {
      const cwd = await workdir({ "main.tf": HTTP_TF });
      const creds = { TF_HTTP_USERNAME: "bosun", TF_HTTP_PASSWORD: "pw" };
      const init = await run(
        TOFU,
        ["init", "-input=false", `-backend-config=address=${server.url}`],
        {
          cwd,
          env: creds,
        },
      );
      expect(init.code, init.stderr).toBe(0);
      const apply = await run(TOFU, ["apply", "-input=false", "-json", "-auto-approve"], {
        cwd,
        env: creds,
      });
      expect(apply.code, apply.stdout).toBe(0);
      expect(
        ofType(apply, "change_summary").map(
          (l) => (l["changes"] as { operation: string }).operation,
        ),
      ).toEqual(["plan", "apply"]);
      expect(ofType(apply, "planned_change")).toHaveLength(3);
      // No lock or unlock address: no locking.
      expect(server.seen.map((s) => s.method)).toEqual(["GET", "POST"]);
      expect(server.seen[1]?.url).toBe("/state/demo");
    } finally {
      await server.close();
    }
  });

  it("uses Terraform's names in the terraform flavour", async () => {
    const cwd = await workdir({ "main.tf": MAIN_TF });
    const init = await run(TERRAFORM, ["init", "-input=false", "-no-color"], { cwd });
    expect(init.stdout).toContain("Terraform has been successfully initialized!");
    const plan = await run(TERRAFORM, PLAN, { cwd });
    expect(plan.code).toBe(2);
    expect(plan.lines[0]).toMatchObject({ terraform: "1.14.6", "@module": "terraform.ui" });
    const show = await run(TERRAFORM, ["show", "-json", "plan.bin"], { cwd });
    const parsed = parsePlanJson(show.stdout);
    expect(parsed).toMatchObject({ applyable: true, complete: true, terraform_version: "1.14.6" });
    expect(parsed.resource_changes[0]?.provider_name).toBe("registry.terraform.io/hashicorp/null");
    // A tofu plan file is not a terraform plan file.
    await run(TOFU, ["init", "-input=false"], { cwd });
    await run(TOFU, [...PLAN.slice(0, 2), "-out=tofu.bin", "-json"], { cwd });
    expect(
      (await run(TERRAFORM, ["apply", "-input=false", "-json", "tofu.bin"], { cwd })).code,
    ).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// The http backend against a small state server

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  md5?: string | undefined;
  body: string;
}

async function stateServer(options: { lockedBy?: Record<string, string>; status?: number }) {
  const seen: Seen[] = [];
  let state: string | undefined;
  let lock: { ID: string } | undefined = options.lockedBy as { ID: string } | undefined;
  const expected = "Basic " + Buffer.from("bosun:pw").toString("base64");
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        auth: req.headers.authorization,
        md5: req.headers["content-md5"] as string | undefined,
        body,
      });
      if (options.status) return res.writeHead(options.status).end();
      if (req.headers.authorization !== expected) return res.writeHead(401).end();
      if (req.method === "GET") return state ? res.end(state) : res.writeHead(404).end();
      if (req.method === "POST") {
        const id = new URL(req.url ?? "", "http://x").searchParams.get("ID");
        if (lock && id !== lock.ID) return res.writeHead(409).end();
        state = body;
        return res.end();
      }
      if (req.method === "LOCK") {
        if (lock) return res.writeHead(423).end(JSON.stringify(lock));
        lock = JSON.parse(body) as { ID: string };
        return res.end();
      }
      if (req.method === "UNLOCK") {
        lock = undefined;
        return res.end();
      }
      res.writeHead(405).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/state/demo`;
  return {
    seen,
    url,
    state: () => state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const HTTP_TF = `terraform {\n  backend "http" {}\n}\n${MAIN_TF}`;

function httpEnv(url: string, password = "pw"): Record<string, string> {
  return {
    TF_HTTP_ADDRESS: url,
    TF_HTTP_LOCK_ADDRESS: url,
    TF_HTTP_UNLOCK_ADDRESS: url,
    TF_HTTP_USERNAME: "bosun",
    TF_HTTP_PASSWORD: password,
  };
}

describe.concurrent("stand-in engine with the http backend", () => {
  it("reads, locks, writes and unlocks state over HTTP", async () => {
    const server = await stateServer({});
    try {
      const env = httpEnv(server.url);
      const cwd = await workdir({ "main.tf": HTTP_TF });
      expect((await run(TOFU, ["init", "-input=false", "-no-color"], { cwd, env })).code).toBe(0);
      await planAndApply(cwd, env);
      expect(server.seen.map((s) => s.method)).toEqual([
        "LOCK",
        "GET",
        "UNLOCK",
        "LOCK",
        "GET",
        "POST",
        "UNLOCK",
      ]);
      const lockInfo = JSON.parse(server.seen[3]?.body ?? "") as Record<string, string>;
      expect(Object.keys(lockInfo)).toEqual([
        "ID",
        "Operation",
        "Info",
        "Who",
        "Version",
        "Created",
        "Path",
      ]);
      expect(lockInfo["Operation"]).toBe("OperationTypeApply");
      const post = server.seen[5];
      expect(post?.url).toBe(`/state/demo?ID=${lockInfo["ID"]}`);
      expect(post?.md5).toBe(
        createHash("md5")
          .update(post?.body ?? "")
          .digest("base64"),
      );
      expect(server.seen.every((s) => s.auth === "Basic " + btoa("bosun:pw"))).toBe(true);
      expect(JSON.parse(server.state() ?? "")).toMatchObject({ version: 4, serial: 1 });
      expect(existsInState(server.state(), "null_resource")).toBe(true);

      const outputs = await run(TOFU, ["output", "-json", "a_id"], { cwd, env });
      expect(outputs.code).toBe(0);
      const again = await run(TOFU, PLAN, { cwd, env });
      expect(again.code).toBe(0);
    } finally {
      await server.close();
    }
  });

  // What the real Terraform 1.11.4 did with this stack and backend (test/integration/github/
  // real-terraform-flow.test.ts runs the real CLI through Bosun).
  it("has terraform_data built in and writes state, LOCK and UNLOCK as Terraform 1.11.4 does", async () => {
    const server = await stateServer({});
    try {
      const env = { ...httpEnv(server.url), TF_IN_AUTOMATION: "1" };
      const cwd = await workdir({
        "main.tf": `terraform {
  backend "http" {}
}
resource "terraform_data" "net" {
  input = { name = "core" }
}
output "net_id" {
  value = terraform_data.net.id
}
`,
      });
      const init = await run(TERRAFORM, ["init", "-input=false", "-no-color"], { cwd, env });
      expect(init.stdout).toContain("- terraform.io/builtin/terraform is built in to Terraform\n");
      // Nothing installed, so no lock file; TF_IN_AUTOMATION drops the follow-up advice.
      expect(init.stdout).not.toContain("Installing");
      expect(init.stdout).not.toContain("You may now begin");
      await expect(readFile(path.join(cwd, ".terraform.lock.hcl"))).rejects.toThrow(/ENOENT/);

      const plan = await run(TERRAFORM, PLAN, { cwd, env });
      expect(plan.code).toBe(2);
      const show = parsePlanJson(
        (await run(TERRAFORM, ["show", "-json", "plan.bin"], { cwd, env })).stdout,
      );
      expect(show.resource_changes[0]).toMatchObject({
        provider_name: "terraform.io/builtin/terraform",
        change: {
          after: { input: { name: "core" }, triggers_replace: null },
          after_unknown: { id: true, input: {}, output: true },
        },
      });
      // The human plan as Terraform 1.11.4 printed it: names aligned, objects as nested blocks.
      const human = await run(TERRAFORM, ["show", "-no-color", "plan.bin"], { cwd, env });
      expect(human.stdout).toContain(
        [
          '  + resource "terraform_data" "net" {',
          "      + id     = (known after apply)",
          "      + input  = {",
          '          + name = "core"',
          "        }",
          "      + output = (known after apply)",
          "    }",
        ].join("\n"),
      );
      const apply = await run(TERRAFORM, ["apply", "-input=false", "-json", "plan.bin"], {
        cwd,
        env,
      });
      expect(apply.code, apply.stdout).toBe(0);

      const state = JSON.parse(server.state() ?? "") as {
        resources: { provider: string; instances: { attributes: Record<string, unknown> }[] }[];
      };
      const typed = { value: { name: "core" }, type: ["object", { name: "string" }] };
      expect(state.resources[0]?.provider).toBe('provider["terraform.io/builtin/terraform"]');
      expect(state.resources[0]?.instances[0]?.attributes).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        input: typed,
        output: typed,
        triggers_replace: null,
      });
      // Every JSON body carries its MD5, LOCK and UNLOCK included.
      const bodies = server.seen.filter((s) => ["LOCK", "UNLOCK", "POST"].includes(s.method));
      expect(bodies.map((s) => s.method)).toEqual(["LOCK", "UNLOCK", "LOCK", "POST", "UNLOCK"]);
      for (const sent of bodies)
        expect(sent.md5).toBe(createHash("md5").update(sent.body).digest("base64"));

      const pull = await run(TERRAFORM, ["state", "pull"], { cwd, env });
      expect(pull.code).toBe(0);
      expect(pull.stdout).toBe(`${server.state() ?? ""}\n`);
      expect((await run(TERRAFORM, PLAN, { cwd, env })).code).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("fails naming the holder's lock ID when the state is locked, and on 401", async () => {
    const holder = {
      ID: "4b0d5e8e-1111-2222-3333-444455556666",
      Operation: "OperationTypeApply",
      Info: "",
      Who: "someone@elsewhere",
      Version: "1.11.5",
      Created: "2026-01-01T00:00:00Z",
      Path: "",
    };
    const server = await stateServer({ lockedBy: holder });
    try {
      const env = httpEnv(server.url);
      const cwd = await workdir({ "main.tf": HTTP_TF });
      expect((await run(TOFU, ["init", "-input=false"], { cwd, env })).code).toBe(0);
      const locked = await run(TOFU, [...PLAN, "-lock-timeout=0s"], { cwd, env });
      expect(locked.code).toBe(1);
      expectValidStream(locked);
      const diagnostic = diagnostics(locked)[0];
      expect(diagnostic?.summary).toBe("Error acquiring the state lock");
      // As with Terraform 1.11.4: the holder by its ID only; "Lock Info" is the lock it asked for.
      expect(diagnostic?.detail).toContain(`already locked: ID=${holder.ID}`);
      expect(diagnostic?.detail).not.toContain("someone@elsewhere");
      expect(diagnostic?.detail).toMatch(/Operation: OperationTypePlan\n/);
      expect(server.seen.map((s) => s.method)).toEqual(["LOCK"]);

      const denied = await run(TOFU, PLAN, { cwd, env: httpEnv(server.url, "wrong") });
      expect(denied.code).toBe(1);
      expect(diagnostics(denied)[0]?.detail).toContain("requires auth");

      const noLock = { ...httpEnv(server.url, "wrong"), TF_HTTP_LOCK_ADDRESS: "" };
      const getDenied = await run(TOFU, PLAN, { cwd, env: noLock });
      expect(getDenied.code).toBe(1);
      expect(diagnostics(getDenied)[0]?.summary).toContain("requires auth");
    } finally {
      await server.close();
    }
  });

  it("retries a held lock until -lock-timeout", async () => {
    const server = await stateServer({
      lockedBy: { ID: "held", Operation: "OperationTypePlan", Who: "x@y" },
    });
    try {
      const env = httpEnv(server.url);
      const cwd = await workdir({ "main.tf": HTTP_TF });
      expect((await run(TOFU, ["init", "-input=false"], { cwd, env })).code).toBe(0);
      const started = Date.now();
      const locked = await run(TOFU, [...PLAN, "-lock-timeout=2s"], { cwd, env });
      expect(locked.code).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      // Tries at 0 s and 1 s; the next wait (2 s) would pass the deadline at 2 s.
      expect(server.seen.filter((s) => s.method === "LOCK").length).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
    }
  });

  it("retries a holder without an ID too in the terraform flavour, as Terraform 1.11.4 does", async () => {
    const server = await stateServer({ lockedBy: { ID: "" } });
    try {
      const env = httpEnv(server.url);
      const cwd = await workdir({ "main.tf": HTTP_TF });
      expect((await run(TERRAFORM, ["init", "-input=false"], { cwd, env })).code).toBe(0);
      const locked = await run(TERRAFORM, [...PLAN, "-lock-timeout=2s"], { cwd, env });
      expect(locked.code).toBe(1);
      expect(diagnostics(locked)[0]?.detail).toContain("already locked: ID=\n");
      expect(server.seen.filter((s) => s.method === "LOCK").length).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
    }
  });
});

function existsInState(text: string | undefined, type: string): boolean {
  const state = JSON.parse(text ?? "{}") as { resources?: { type: string }[] };
  return (state.resources ?? []).some((r) => r.type === type);
}
