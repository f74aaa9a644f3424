#!/usr/bin/env node
// @ts-check
/**
 * Stand-in for the `tofu` / `terraform` executables, for tests. It implements the part of the CLI
 * described in test/fixtures/CLI-CONTRACT.md (flags, exit codes, JSON shapes, the `local` and
 * `http` state backends, the stale-plan checks) over a tiny "provider" in which every resource just
 * stores its configured attributes plus a random `id`; `terraform_data` is the engine's built-in
 * resource, as in the real CLI (`output` mirrors `input`, UUID ids, nothing installed). Where the
 * real Terraform 1.11.4 was compared with it (test/integration/github/real-terraform-flow.test.ts
 * runs it), the stand-in prints what it printed. It is only "an engine binary".
 *
 * Flavour: STANDIN_FLAVOUR=opentofu (default: "OpenTofu 1.11.5", `tofu.ui`, `tofu` in messages,
 * registry.opentofu.org) or STANDIN_FLAVOUR=terraform ("Terraform 1.14.6", `terraform.ui`,
 * registry.terraform.io, plus `applyable`/`complete`/`terraform_outdated`). ./bin sets it.
 *
 * Command line (Go `flag` parsing: -name=value, -name value, booleans as -name / -name=false):
 *   [-chdir=DIR] [-version] [-help] <command> ...
 *   init    [-input=B] [-no-color] [-json] [-backend-config=K=V|FILE]... [-lock-timeout=D] [-upgrade]
 *           [-reconfigure] [-migrate-state] ... → $TF_DATA_DIR/terraform.tfstate (backend type and
 *           merged config), $TF_DATA_DIR/providers/..., .terraform.lock.hcl
 *   plan    [-input=B] [-out=FILE] [-json] [-detailed-exitcode] [-destroy] [-target=ADDR]...
 *           [-replace=ADDR]... [-var=K=V]... [-var-file=F]... [-lock=B] [-lock-timeout=D] [-no-color]
 *           exit 0 (no changes) / 2 (changes, with -detailed-exitcode) / 1 (error)
 *   apply   [-input=B] [-json] [-auto-approve] [-lock=B] [-lock-timeout=D] [PLANFILE]
 *   show    [-json] [-no-color] [PLANFILE | -plan=PLANFILE]   (no file: the state)
 *   output  [-json] [-raw] [-no-color] [-state=FILE] [NAME]
 *   state pull
 *   workspace select [-or-create] NAME | new NAME | show | list
 *   version [-json]
 * Environment: TF_CLI_ARGS and TF_CLI_ARGS_<command> (inserted after the command), TF_INPUT,
 * TF_DATA_DIR, TF_WORKSPACE, TF_PLUGIN_CACHE_DIR (with
 * TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE), TF_VAR_<name>, and for the http backend TF_HTTP_ADDRESS, TF_HTTP_UPDATE_METHOD,
 * TF_HTTP_LOCK_ADDRESS, TF_HTTP_LOCK_METHOD, TF_HTTP_UNLOCK_ADDRESS, TF_HTTP_UNLOCK_METHOD,
 * TF_HTTP_USERNAME, TF_HTTP_PASSWORD, TF_HTTP_SKIP_CERT_VERIFICATION, TF_HTTP_RETRY_MAX,
 * TF_HTTP_RETRY_WAIT_MIN, TF_HTTP_RETRY_WAIT_MAX (defaults for settings the configuration leaves
 * out, as in the real backend; read by every command).
 *
 * Configuration: every *.tf in the working directory (*_override.tf / override.tf merged last);
 * `variable` (default, sensitive, type string|number|bool), terraform.tfvars, *.auto.tfvars,
 * `locals`, `resource` (literal attributes, references, count, for_each over a list or map,
 * depends_on), `output` (value, sensitive), `terraform { backend "local"|"http" {...} }`.
 * Expressions: literals, `${...}` templates, and references (var.*, local.*, count.index, each.*,
 * TYPE.NAME[...].ATTR, splat [*]). Function calls and operators are not supported (an
 * "Unsupported expression" error). No modules, data sources, providers, moved/import blocks.
 *
 * Plan files are this program's own JSON: the prior lineage/serial, the JSON plan `show -json`
 * prints, and what apply needs to carry the plan out.
 *
 * Test knobs (environment):
 *   STANDIN_DELAY_MS=N        sleep N ms per resource instance in plan and in apply (output streams
 *                             meanwhile; apply prints apply_start, apply_progress, apply_complete)
 *   STANDIN_FAIL_RESOURCE=A   applying resource instance address A fails: apply_errored + an error
 *                             diagnostic, no closing change_summary/outputs, exit 1; the state is
 *                             written for what succeeded (dependents of A are skipped)
 *   STANDIN_PRINT=TEXT        print TEXT in a log line on stdout (a `log` message in -json mode) and
 *                             as a line on stderr during plan and apply
 *   STANDIN_CRASH=CMD         CMD in init|plan|apply|show|output|version: exit 11 with a Go-panic-like
 *                             stderr and nothing on stdout
 *   STANDIN_VERSION=V         report version V instead of 1.11.5 (tofu) or 1.14.6 (terraform)
 *   STANDIN_BAD_JSON=show     `show -json` prints something that is not JSON (exit 0)
 *   STANDIN_IGNORE_TERM=1     ignore SIGTERM and spawn a `sleep 600` child that inherits stdout and
 *                             stderr, so only killing the process tree ends the output
 *   STANDIN_LOG=PATH          append one JSON line per invocation: {argv, cwd, flavour, env}, where
 *                             env is the sorted NAMES of all environment variables (never values);
 *                             with AWS_WEB_IDENTITY_TOKEN_FILE set, also `aws`: AWS_ROLE_ARN,
 *                             AWS_ROLE_SESSION_NAME, the token file's path and its content, what
 *                             a real AWS provider would exchange with STS; likewise `azure`
 *                             (the ARM_* OIDC settings and ARM_OIDC_TOKEN_FILE_PATH's content)
 *                             and `gcp` (GOOGLE_APPLICATION_CREDENTIALS parsed, and the content
 *                             of the subject token file it names)
 *   STANDIN_REPORT_URL=URL    POST that same JSON record to URL before running: how a test sees
 *                             what a sandboxed engine, which cannot write outside its workspace,
 *                             was handed
 *   STANDIN_ECHO_IDENTITY=1   print every identity token and credential file it was handed on
 *                             stdout and stderr during plan and apply, as a provider's debug
 *                             log would (TF_LOG=debug): what masking must catch
 * Successful HCL parses are cached by content hash in $TMPDIR/standin-engine-hcl-cache and in
 * $HOME/.cache/standin-engine-hcl.
 *
 * Hostile mode: a *.tf in the working directory containing `standin:hostile` makes plan do what a
 * `data "external"` program of a pull request could: read every /proc/<pid>/environ (its
 * ancestors' first), the files of the Bosun data directory it runs under (found from its working
 * directory, …/workspaces/ws-…/src/<dir>), other runs' workspaces and cached tarballs. It adds two
 * outputs: `hostile_paths`, what it could read (plain paths), and `hostile_findings`, each thing
 * read as base64 of the reversed text (`label=content`), a form no masking recognises.
 */
import { createHash, randomUUID, randomInt } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { setTimeout } from "node:timers";
import { URL } from "node:url";
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import v8 from "node:v8";

// The HCL parser is Go compiled to WebAssembly. V8's optimising tier compiles it in the background
// and makes every exit wait ~0.6 s for that; the baseline compiler alone is plenty for small files.
v8.setFlagsFromString("--liftoff-only");

const FLAVOUR = process.env["STANDIN_FLAVOUR"] === "terraform" ? "terraform" : "opentofu";
const TOFU = FLAVOUR === "opentofu";
// STANDIN_VERSION: a stand-in installed as another version (BOSUN_ENGINE_DIR tests).
const VERSION = process.env.STANDIN_VERSION ?? (TOFU ? "1.11.5" : "1.14.6");
const PRODUCT = TOFU ? "OpenTofu" : "Terraform";
const BIN = TOFU ? "tofu" : "terraform";
const UI_MODULE = TOFU ? "tofu.ui" : "terraform.ui";
const REGISTRY = TOFU ? "registry.opentofu.org" : "registry.terraform.io";
const PROVIDER_VERSION = "3.2.4";

/** An error that ends the command: printed as a diagnostic (JSON mode) or human text, exit 1. */
class Fail extends Error {
  /**
   * @param {string} summary
   * @param {string} [detail]
   * @param {{ range?: object, address?: string, exitCode?: number, partial?: boolean }} [extra]
   */
  constructor(summary, detail = "", extra = {}) {
    super(summary);
    this.summary = summary;
    this.detail = detail;
    this.extra = extra;
  }
}

// ---------------------------------------------------------------------------------------------
// Output helpers

/** Go's encoding/json escapes <, >, & and the JS line separators. */
function goJson(/** @type {unknown} */ value, /** @type {number} */ indent = 0) {
  return JSON.stringify(value, null, indent || undefined).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** RFC 3339 with microseconds and the local offset, like the real UI stream. */
function uiTimestamp() {
  const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const d = new Date(Math.floor(nowUs / 1000));
  const off = -d.getTimezoneOffset();
  const p = (/** @type {number} */ n, w = 2) => String(Math.abs(n)).padStart(w, "0");
  const micro = p(nowUs % 1000000, 6);
  const zone = off === 0 ? "Z" : `${off > 0 ? "+" : "-"}${p(Math.trunc(off / 60))}:${p(off % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${micro}${zone}`;
}

function utcSeconds() {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

const out = (/** @type {string} */ text) => process.stdout.write(text);
const err = (/** @type {string} */ text) => process.stderr.write(text);

/** @param {string} type @param {string} message @param {Record<string, unknown>} fields @param {string} [level] */
function emit(type, message, fields = {}, level = "info") {
  /** @type {Record<string, unknown>} */
  const line = {
    "@level": level,
    "@message": message,
    "@module": UI_MODULE,
    "@timestamp": uiTimestamp(),
    ...fields,
    type,
  };
  // Like the real stream (hclog's JSON), the keys come sorted.
  out(
    goJson(
      Object.fromEntries(
        Object.keys(line)
          .sort()
          .map((k) => [k, line[k]]),
      ),
    ) + "\n",
  );
}

function emitVersion() {
  emit("version", `${PRODUCT} ${VERSION}`, { [TOFU ? "tofu" : "terraform"]: VERSION, ui: "1.2" });
}

/** @param {"error"|"warning"} severity @param {string} summary @param {string} detail @param {{range?: object, address?: string}} [extra] */
function emitDiagnostic(severity, summary, detail, extra = {}) {
  /** @type {Record<string, unknown>} */
  const diagnostic = { severity, summary, detail };
  if (extra.address) diagnostic["address"] = extra.address;
  if (extra.range) diagnostic["range"] = extra.range;
  emit(
    "diagnostic",
    `${severity === "error" ? "Error" : "Warning"}: ${summary}`,
    { diagnostic },
    severity === "error" ? "error" : "warn",
  );
}

/** Human-mode diagnostic on stderr (errors) or stdout (warnings). */
function printDiagnostic(
  /** @type {"error"|"warning"} */ severity,
  /** @type {string} */ summary,
  /** @type {string} */ detail,
  /** @type {any} */ range,
) {
  let text = `\n${severity === "error" ? "Error" : "Warning"}: ${summary}\n`;
  if (range) text += `\n  on ${range.filename} line ${range.start.line}:\n`;
  if (detail) text += `\n${detail}\n`;
  if (severity === "error") err(text);
  else out(text);
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Command line

/** Splits TF_CLI_ARGS like a shell line (single/double quotes, backslash escapes). */
function shellSplit(/** @type {string} */ line) {
  /** @type {string[]} */
  const words = [];
  let cur = "";
  let has = false;
  /** @type {string|null} */
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) cur += line.charAt(++i);
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line.charAt(++i);
      has = true;
    } else if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

/**
 * Go `flag` parsing. spec: name -> "bool" | "string" | "list".
 * @param {string[]} args
 * @param {Record<string, "bool"|"string"|"list">} spec
 */
function parseFlags(args, spec) {
  /** @type {Record<string, any>} */
  const flags = {};
  for (const [name, kind] of Object.entries(spec)) if (kind === "list") flags[name] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq === -1 ? body : body.slice(0, eq);
    const kind = spec[name];
    if (!kind)
      throw new Fail(
        "Failed to parse command-line flags",
        `flag provided but not defined: -${name}`,
      );
    let value = eq === -1 ? undefined : body.slice(eq + 1);
    if (kind === "bool") {
      if (value === undefined) flags[name] = true;
      else if (/^(1|t|T|TRUE|true|True)$/.test(value)) flags[name] = true;
      else if (/^(0|f|F|FALSE|false|False)$/.test(value)) flags[name] = false;
      else
        throw new Fail(
          "Failed to parse command-line flags",
          `invalid boolean value "${value}" for -${name}: parse error`,
        );
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= args.length)
        throw new Fail("Failed to parse command-line flags", `flag needs an argument: -${name}`);
      value = args[++i] ?? "";
    }
    if (kind === "list") {
      flags[name].push(value);
      (flags["__order"] ??= []).push(name);
    } else flags[name] = value;
  }
  return { flags, rest: args.slice(i) };
}

/** Go time.ParseDuration for the forms people write ("0s", "30s", "1m30s", "500ms", "0"). */
function parseDuration(/** @type {string} */ text) {
  if (text === "0") return 0;
  const units = /** @type {Record<string, number>} */ ({
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60000,
    h: 3600000,
  });
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m;
  while ((m = re.exec(text))) {
    total += Number(m[1]) * (units[m[2] ?? "s"] ?? 0);
    pos = re.lastIndex;
  }
  if (pos === 0 || pos !== text.length)
    throw new Fail("Invalid lock timeout", `time: invalid duration "${text}"`);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Configuration (*.tf in the working directory)

/**
 * @typedef {{ default?: unknown, hasDefault: boolean, sensitive: boolean, type?: string, description?: string, file: string }} VarDecl
 * @typedef {{ type: string, name: string, body: Record<string, any>, file: string }} ResourceDecl
 * @typedef {{ value: unknown, sensitive: boolean, file: string }} OutputDecl
 * @typedef {{ variables: Record<string, VarDecl>, resources: ResourceDecl[], outputs: Record<string, OutputDecl>, locals: Record<string, unknown>, backend: { type: string, config: Record<string, unknown> } | null, providers: Record<string, string|undefined>, files: Record<string, string> }} Config
 */

/** Where "text" first occurs in a file, as a diagnostic range. */
function findRange(
  /** @type {Config|null} */ config,
  /** @type {string} */ file,
  /** @type {RegExp} */ pattern,
) {
  const text = config?.files[file] ?? "";
  const m = pattern.exec(text);
  const at = m ? m.index : 0;
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const column = at - before.lastIndexOf("\n");
  const len = m ? m[0].length : 1;
  return {
    filename: file,
    start: { line, column, byte: at },
    end: { line, column: column + len, byte: at + len },
  };
}

/** Turns hcl2json's error text ("parse config: [main.tf:1,11-12: Summary; Detail]") into a Fail. */
function hclFail(
  /** @type {string} */ file,
  /** @type {unknown} */ error,
  /** @type {string} */ text,
) {
  const message = String(error instanceof Error ? error.message : error);
  // A range is "line,column-column" or, across lines, "line,column-line,column".
  const m = /\[?([^\s[:]+):(\d+),(\d+)-(?:(\d+),)?(\d+): ([^;\]]+);?\s*([^\]]*)\]?/.exec(message);
  if (!m) return new Fail("Failed to parse configuration", `${file}: ${message}`);
  const start = { line: Number(m[2]), column: Number(m[3]) };
  const end = { line: m[4] ? Number(m[4]) : start.line, column: Number(m[5]) };
  const lines = text.split("\n");
  const byte = (/** @type {{line: number, column: number}} */ at) =>
    Buffer.byteLength(lines.slice(0, at.line - 1).join("\n")) +
    (at.line > 1 ? 1 : 0) +
    Buffer.byteLength((lines[at.line - 1] ?? "").slice(0, at.column - 1));
  return new Fail(m[6] ?? "Syntax error", (m[7] ?? "").trim(), {
    range: {
      filename: m[1],
      start: { ...start, byte: byte(start) },
      end: { ...end, byte: byte(end) },
    },
  });
}

/**
 * hcl2json's parse, with successful results cached by content hash: the WebAssembly parser costs
 * a few hundred ms to start, which adds up over a test suite. The OS temp dir's cache is shared by
 * every unsandboxed run; a sandboxed run gets a private, empty /tmp per command, so its HOME (which
 * lives as long as the run's workspace) keeps a second cache for the run's later commands.
 * @returns {Promise<any>}
 */
async function parseHcl(/** @type {string} */ file, /** @type {string} */ text) {
  const cacheDirs = [path.join(os.tmpdir(), "standin-engine-hcl-cache")];
  if (process.env.HOME) cacheDirs.push(path.join(process.env.HOME, ".cache", "standin-engine-hcl"));
  const cacheName = `${createHash("sha256").update(`${file}\0${text}`).digest("hex")}.json`;
  for (const cacheDir of cacheDirs) {
    try {
      return JSON.parse(fs.readFileSync(path.join(cacheDir, cacheName), "utf8"));
    } catch {
      // not cached here
    }
  }
  const { default: hcl } = await import("@cdktn/hcl2json");
  let doc;
  try {
    doc = await hcl.parse(file, text);
  } catch (error) {
    throw hclFail(file, error, text);
  }
  for (const cacheDir of cacheDirs) {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = path.join(cacheDir, `${cacheName}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, JSON.stringify(doc));
      fs.renameSync(tmp, path.join(cacheDir, cacheName));
    } catch {
      // a cache is optional
    }
  }
  return doc;
}

/** Loads every *.tf file in dir; *_override.tf / override.tf last, merged over the rest. */
async function loadConfig(/** @type {string} */ dir) {
  const names = fs.readdirSync(dir).filter((n) => n.endsWith(".tf") && !n.startsWith("."));
  const isOverride = (/** @type {string} */ n) => n === "override.tf" || n.endsWith("_override.tf");
  const ordered = [
    ...names.filter((n) => !isOverride(n)).sort(),
    ...names.filter(isOverride).sort(),
  ];
  /** @type {Config} */
  const config = {
    variables: {},
    resources: [],
    outputs: {},
    locals: {},
    backend: null,
    providers: {},
    files: {},
  };
  for (const file of ordered) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    config.files[file] = text;
    const doc = await parseHcl(file, text);
    const override = isOverride(file);
    for (const [name, blocks] of Object.entries(doc.variable ?? {})) {
      const b = Object.assign({}, ...blocks);
      const prev = override ? config.variables[name] : undefined;
      config.variables[name] = {
        ...(prev ?? {}),
        ...("default" in b
          ? { default: b.default, hasDefault: true }
          : { hasDefault: prev?.hasDefault ?? false }),
        sensitive: b.sensitive ?? prev?.sensitive ?? false,
        ...(b.type !== undefined ? { type: String(b.type).replace(/^\$\{(.*)\}$/, "$1") } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
        file: prev?.file ?? file,
      };
    }
    for (const [type, byName] of Object.entries(doc.resource ?? {})) {
      for (const [name, blocks] of Object.entries(/** @type {Record<string, any[]>} */ (byName))) {
        const body = Object.assign({}, ...blocks);
        const existing = config.resources.find((r) => r.type === type && r.name === name);
        if (existing && override) existing.body = { ...existing.body, ...body };
        else if (existing) {
          throw new Fail(
            "Duplicate resource configuration",
            `A ${type} resource named "${name}" was already declared at ${existing.file}. Resource names must be unique per type in each module.`,
            { range: findRange(config, file, new RegExp(`resource\\s+"${type}"\\s+"${name}"`)) },
          );
        } else config.resources.push({ type, name, body, file });
      }
    }
    for (const [name, blocks] of Object.entries(doc.output ?? {})) {
      const b = Object.assign({}, ...blocks);
      const prev = config.outputs[name];
      config.outputs[name] = {
        value: "value" in b ? b.value : prev?.value,
        sensitive: b.sensitive ?? prev?.sensitive ?? false,
        file: prev?.file ?? file,
      };
    }
    for (const blocks of doc.locals ?? []) Object.assign(config.locals, blocks);
    for (const t of doc.terraform ?? []) {
      for (const [type, blocks] of Object.entries(t.backend ?? {})) {
        config.backend = { type, config: Object.assign({}, .../** @type {any[]} */ (blocks)) };
      }
      for (const rp of t.required_providers ?? []) {
        for (const [local, req] of Object.entries(rp)) {
          config.providers[local] = typeof req === "object" && req ? req.version : undefined;
        }
      }
    }
  }
  for (const r of config.resources) {
    const local = r.type.split("_")[0] ?? r.type;
    if (!(local in config.providers)) config.providers[local] = undefined;
  }
  return config;
}

// ---------------------------------------------------------------------------------------------
// Values: plain JSON plus two markers, UNKNOWN (known only after apply) and Sens (sensitive).

const UNKNOWN = Symbol("unknown");
class Sens {
  constructor(/** @type {unknown} */ v) {
    this.v = v;
  }
}
const META_ARGS = new Set([
  "count",
  "for_each",
  "depends_on",
  "lifecycle",
  "provider",
  "provisioner",
  "connection",
]);

/** @returns {any} */
function unwrap(/** @type {any} */ v) {
  return v instanceof Sens ? unwrap(v.v) : v;
}
function isSensitive(/** @type {any} */ v) {
  if (v instanceof Sens) return true;
  if (Array.isArray(v)) return v.some(isSensitive);
  if (v && typeof v === "object") return Object.values(v).some(isSensitive);
  return false;
}
function isKnown(/** @type {any} */ v) {
  v = unwrap(v);
  if (v === UNKNOWN) return false;
  if (Array.isArray(v)) return v.every(isKnown);
  if (v && typeof v === "object") return Object.values(v).every(isKnown);
  return true;
}
function sensitiveWrap(/** @type {any} */ v, /** @type {boolean} */ on) {
  return on && !(v instanceof Sens) ? new Sens(v) : v;
}
/**
 * The value without markers; unknowns are left out of objects and become null in lists.
 * @returns {any}
 */
function plain(/** @type {any} */ v) {
  v = unwrap(v);
  if (v === UNKNOWN) return null;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    /** @type {Record<string, unknown>} */
    const o = {};
    for (const [k, x] of Object.entries(v)) if (unwrap(x) !== UNKNOWN) o[k] = plain(x);
    return o;
  }
  return v;
}
/**
 * after_unknown-style mask.
 * @returns {any}
 */
function unknownMask(/** @type {any} */ v) {
  v = unwrap(v);
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.map(unknownMask);
  if (v && typeof v === "object") {
    /** @type {Record<string, unknown>} */
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      const m = unknownMask(x);
      if (m !== false) o[k] = m;
    }
    return o;
  }
  return false;
}
/**
 * A resource change's after_unknown: `{}` for a value known in full, else the mask, in which
 * known nested objects show as `{}` (TF internal/command/jsonplan marshalResourceChange).
 */
function afterUnknown(/** @type {any} */ v) {
  return isKnown(v) ? {} : unknownMask(v);
}
/**
 * *_sensitive-style mask.
 * @returns {any}
 */
function sensitiveMask(/** @type {any} */ v) {
  if (v instanceof Sens) return true;
  if (Array.isArray(v)) return v.map(sensitiveMask);
  if (v && typeof v === "object" && v !== UNKNOWN) {
    /** @type {Record<string, unknown>} */
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      const m = sensitiveMask(x);
      if (m !== false) o[k] = m;
    }
    return o;
  }
  return false;
}
/** State v4 `sensitive_attributes` paths of the Sens markers in an attributes object. */
function sensitivePaths(
  /** @type {any} */ v,
  /** @type {any[]} */ prefix = [],
  /** @type {any[][]} */ acc = [],
) {
  if (v instanceof Sens) {
    if (prefix.length > 0) acc.push(prefix);
    return acc;
  }
  if (Array.isArray(v))
    v.forEach((x, i) =>
      sensitivePaths(x, [...prefix, { type: "index", value: { value: i, type: "number" } }], acc),
    );
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      const step =
        prefix.length === 0
          ? { type: "get_attr", value: k }
          : { type: "index", value: { value: k, type: "string" } };
      sensitivePaths(x, [...prefix, step], acc);
    }
  }
  return acc;
}
/** Puts Sens markers back on plain attributes from state paths. */
function applySensitivePaths(/** @type {any} */ attrs, /** @type {any[][]|undefined} */ paths) {
  let result = JSON.parse(JSON.stringify(attrs));
  for (const p of paths ?? []) {
    if (!Array.isArray(p) || p.length === 0) continue;
    const keys = p.map((s) => (s.type === "get_attr" ? s.value : s.value?.value));
    /** @type {any} */
    let node = result;
    for (let i = 0; i < keys.length - 1; i++) node = node?.[keys[i]];
    const last = keys[keys.length - 1];
    if (node && typeof node === "object" && last in node)
      node[last] = sensitiveWrap(node[last], true);
  }
  return result;
}
function deepEqual(/** @type {unknown} */ a, /** @type {unknown} */ b) {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
/** @returns {unknown} */
function canonical(/** @type {any} */ v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}
/**
 * A type expression as in `output -json`.
 * @returns {any}
 */
function typeOf(/** @type {any} */ v) {
  v = plain(v);
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  if (v === null) return "dynamic";
  if (Array.isArray(v)) return ["tuple", v.map(typeOf)];
  return ["object", Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeOf(x)]))];
}

/**
 * @typedef {{ vars: Record<string, any>, locals: Record<string, unknown>, resource: (type: string, name: string) => any, isResourceType: (type: string) => boolean, count?: number, each?: { key: string, value: unknown }, file?: string }} Ctx
 */

const TRAVERSAL =
  /^([A-Za-z_][\w-]*)((?:\s*\.\s*(?:[A-Za-z_][\w-]*|\*|\d+)|\s*\[\s*(?:\d+|"[^"]*"|\*)\s*\])*)$/;

/** @returns {Array<string|number|"*">} */
function traversalSteps(/** @type {string} */ rest) {
  /** @type {Array<string|number>} */
  const steps = [];
  const re = /\.\s*([A-Za-z_][\w-]*|\*|\d+)|\[\s*(\d+|"[^"]*"|\*)\s*\]/g;
  let m;
  while ((m = re.exec(rest))) {
    const raw = m[1] ?? m[2] ?? "";
    if (raw === "*") steps.push("*");
    else if (/^\d+$/.test(raw)) steps.push(Number(raw));
    else if (raw.startsWith('"')) steps.push(raw.slice(1, -1));
    else steps.push(raw);
  }
  return steps;
}

/** @returns {any} */
function walk(
  /** @type {any} */ value,
  /** @type {Array<string|number>} */ steps,
  /** @type {string} */ expr,
) {
  if (steps.length === 0) return value;
  if (value instanceof Sens) return sensitiveWrap(walk(value.v, steps, expr), true);
  if (value === UNKNOWN) return UNKNOWN;
  const [step, ...rest] = steps;
  if (step === "*") {
    const list = Array.isArray(value)
      ? value
      : value === null || value === undefined
        ? []
        : [value];
    return list.map((x) => walk(x, rest, expr));
  }
  if (value === null || value === undefined || typeof value !== "object") {
    throw new Fail(
      "Unsupported attribute",
      `Can't access ${JSON.stringify(step)} in ${expr}: the value is ${value === null ? "null" : typeof value}.`,
    );
  }
  if (
    !(String(step) in value) &&
    !(Array.isArray(value) && typeof step === "number" && step < value.length)
  ) {
    throw new Fail(
      Array.isArray(value) || typeof step === "number" ? "Invalid index" : "Unsupported attribute",
      `This object does not have an attribute or element ${JSON.stringify(step)} (in ${expr}).`,
    );
  }
  return walk(value[/** @type {any} */ (step)], rest, expr);
}

/** Evaluates the inside of one `${...}`. @returns {any} */
function evalExpr(/** @type {string} */ src, /** @type {Ctx} */ ctx) {
  const e = src.trim();
  if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
  if (e === "true" || e === "false") return e === "true";
  if (e === "null") return null;
  if (/^"([^"\\$]|\\.)*"$/.test(e)) return JSON.parse(e);
  const m = TRAVERSAL.exec(e);
  if (!m) {
    throw new Fail(
      "Unsupported expression",
      `The stand-in engine only evaluates literals and references; it cannot evaluate "${e}".`,
    );
  }
  const root = m[1] ?? "";
  const steps = traversalSteps(m[2] ?? "");
  const needAttr = () => {
    const name = steps.shift();
    if (typeof name !== "string" || name === "*")
      throw new Fail(
        "Invalid reference",
        `A reference to "${root}" must be followed by an attribute name (in ${e}).`,
      );
    return name;
  };
  switch (root) {
    case "var": {
      const name = needAttr();
      if (!(name in ctx.vars))
        throw new Fail(
          "Reference to undeclared input variable",
          `An input variable with the name "${name}" has not been declared.`,
        );
      return walk(ctx.vars[name], steps, e);
    }
    case "local": {
      const name = needAttr();
      if (!(name in ctx.locals))
        throw new Fail(
          "Reference to undeclared local value",
          `A local value with the name "${name}" has not been declared.`,
        );
      return walk(evalValue(ctx.locals[name], ctx), steps, e);
    }
    case "count": {
      if (needAttr() !== "index" || ctx.count === undefined)
        throw new Fail(
          'Reference to "count" in non-counted context',
          `The "count" object can only be used in "resource" blocks when the "count" argument is set.`,
        );
      return ctx.count;
    }
    case "each": {
      const attr = needAttr();
      if (!ctx.each || (attr !== "key" && attr !== "value"))
        throw new Fail(
          'Reference to "each" in context without for_each',
          `The "each" object can only be used in "resource" blocks when the "for_each" argument is set.`,
        );
      return walk(ctx.each[attr], steps, e);
    }
    case "path":
      needAttr();
      return ".";
    case "terraform":
    case "tofu":
      needAttr();
      return "default";
    default: {
      if (!ctx.isResourceType(root))
        throw new Fail(
          "Invalid reference",
          `A reference to a resource type must be followed by at least one attribute access, specifying the resource name (in ${e}).`,
        );
      const name = needAttr();
      return walk(ctx.resource(root, name), steps, e);
    }
  }
}

/** Evaluates an HCL value as hcl2json gives it: strings may hold `${...}` templates. @returns {any} */
function evalValue(/** @type {any} */ v, /** @type {Ctx} */ ctx) {
  if (typeof v === "string") {
    const whole = /^\$\{([^{}]*)\}$/.exec(v);
    if (whole) return evalExpr(whole[1] ?? "", ctx);
    if (!v.includes("${")) return v;
    let unknown = false;
    let sensitive = false;
    const text = v.replace(/\$\{([^{}]*)\}/g, (_, inner) => {
      const x = evalExpr(inner, ctx);
      if (x instanceof Sens) sensitive = true;
      const u = unwrap(x);
      if (!isKnown(u)) unknown = true;
      if (u !== null && typeof u === "object")
        throw new Fail(
          "Invalid template interpolation value",
          `Cannot include an object or list in a string template (in "${v}").`,
        );
      return u === null || u === UNKNOWN ? "" : String(u);
    });
    return sensitiveWrap(unknown ? UNKNOWN : text, sensitive);
  }
  if (Array.isArray(v)) return v.map((x) => evalValue(x, ctx));
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evalValue(x, ctx)]));
  return v;
}

/**
 * The bits of provider schema the stand-in knows: `null_resource.triggers` is a map(string), so
 * numbers and bools in it become strings (as the real provider's type conversion does);
 * `terraform_data` has only `input` and `triggers_replace` (both null when unset) besides the
 * computed `id` and `output` (see terraformDataOutput).
 * @returns {any}
 */
function conformToSchema(/** @type {string} */ type, /** @type {any} */ attrs) {
  if (!attrs || typeof attrs !== "object" || attrs instanceof Sens) return attrs;
  if (type === "terraform_data")
    return { input: attrs["input"] ?? null, triggers_replace: attrs["triggers_replace"] ?? null };
  if (type !== "null_resource") return attrs;
  const t = attrs["triggers"];
  /** @returns {any} */
  const convert = (/** @type {any} */ v) => {
    if (v instanceof Sens) return new Sens(convert(v.v));
    return typeof v === "number" || typeof v === "boolean" ? String(v) : v;
  };
  if (t && typeof t === "object" && !(t instanceof Sens) && !Array.isArray(t)) {
    return {
      ...attrs,
      triggers: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, convert(v)])),
    };
  }
  return attrs;
}

/** The references in an HCL value, as `configuration` lists them. */
function referencesOf(/** @type {any} */ v, /** @type {Set<string>} */ acc = new Set()) {
  if (typeof v === "string") {
    for (const m of v.matchAll(/\$\{([^{}]*)\}/g)) {
      const t = TRAVERSAL.exec((m[1] ?? "").trim());
      if (!t) continue;
      const root = t[1] ?? "";
      const steps = traversalSteps(t[2] ?? "");
      if (["count", "each", "path", "terraform", "tofu"].includes(root)) continue;
      const full = [
        root,
        ...steps.map((s) => (typeof s === "number" ? `[${s}]` : s === "*" ? "[*]" : `.${s}`)),
      ].join("");
      acc.add(full);
      if (root !== "var" && root !== "local" && steps.length >= 2) acc.add(`${root}.${steps[0]}`);
    }
  } else if (Array.isArray(v)) v.forEach((x) => referencesOf(x, acc));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => referencesOf(x, acc));
  return acc;
}

// ---------------------------------------------------------------------------------------------
// State storage: the `local` backend (a file) and the `http` backend (CLI-CONTRACT.md §7)

/**
 * @typedef {{ version: number, terraform_version: string, serial: number, lineage: string, outputs: Record<string, any>, resources: any[], check_results: null }} StateV4
 * @typedef {{ describe: string, read: () => Promise<StateV4|null>, write: (s: StateV4) => Promise<void>, lock: (op: string, timeoutMs: number) => Promise<void>, unlock: () => Promise<void> }} Backend
 */

const HTTP_ENV = /** @type {const} */ ({
  address: "TF_HTTP_ADDRESS",
  update_method: "TF_HTTP_UPDATE_METHOD",
  lock_address: "TF_HTTP_LOCK_ADDRESS",
  unlock_address: "TF_HTTP_UNLOCK_ADDRESS",
  lock_method: "TF_HTTP_LOCK_METHOD",
  unlock_method: "TF_HTTP_UNLOCK_METHOD",
  username: "TF_HTTP_USERNAME",
  password: "TF_HTTP_PASSWORD",
  skip_cert_verification: "TF_HTTP_SKIP_CERT_VERIFICATION",
  retry_max: "TF_HTTP_RETRY_MAX",
  retry_wait_min: "TF_HTTP_RETRY_WAIT_MIN",
  retry_wait_max: "TF_HTTP_RETRY_WAIT_MAX",
});

/** The http backend settings: the configuration first, TF_HTTP_* variables as defaults (as the real schema). */
function httpSettings(/** @type {Record<string, unknown>} */ saved) {
  /** @type {Record<string, string>} */
  const s = {};
  for (const [key, envName] of Object.entries(HTTP_ENV)) {
    const fromConfig = saved[key];
    const fromEnv = process.env[envName];
    if (fromConfig !== undefined && fromConfig !== null && fromConfig !== "")
      s[key] = String(fromConfig);
    else if (fromEnv !== undefined && fromEnv !== "") s[key] = fromEnv;
  }
  return s;
}

/**
 * One HTTP request with go-retryablehttp's retries (connection errors and 5xx except 501).
 * @param {string} method @param {string} address @param {Record<string,string>} settings
 * @param {string|undefined} body @param {Record<string,string>} [headers]
 * @returns {Promise<{status: number, body: string}>}
 */
async function httpRequest(method, address, settings, body, headers = {}) {
  const retryMax = Number(settings["retry_max"] ?? 2);
  const waitMin = Number(settings["retry_wait_min"] ?? 1) * 1000;
  const waitMax = Number(settings["retry_wait_max"] ?? 30) * 1000;
  /** @type {unknown} */
  let lastError;
  for (let attempt = 0; attempt <= retryMax; attempt++) {
    if (attempt > 0) await sleep(Math.min(waitMax, waitMin * 2 ** (attempt - 1)));
    try {
      const res = await new Promise((resolve, reject) => {
        const url = new URL(address);
        const lib = url.protocol === "https:" ? https : http;
        /** @type {Record<string,string>} */
        const h = { ...headers };
        if (settings["username"] !== undefined || settings["password"] !== undefined) {
          h["Authorization"] =
            "Basic " +
            Buffer.from(`${settings["username"] ?? ""}:${settings["password"] ?? ""}`).toString(
              "base64",
            );
        }
        if (body !== undefined) h["Content-Length"] = String(Buffer.byteLength(body));
        // The backend's HTTP client sets none of its own: Go's default (seen with Terraform 1.11.4).
        h["User-Agent"] = "Go-http-client/1.1";
        const req = lib.request(
          url,
          {
            method,
            headers: h,
            rejectUnauthorized: !/^(1|true)$/i.test(settings["skip_cert_verification"] ?? ""),
          },
          (r) => {
            /** @type {Buffer[]} */
            const chunks = [];
            r.on("data", (c) => chunks.push(c));
            r.on("end", () =>
              resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
            );
            r.on("error", reject);
          },
        );
        req.on("error", reject);
        if (body !== undefined) req.write(body);
        req.end();
      });
      const status = /** @type {{status:number}} */ (res).status;
      if ((status >= 500 && status !== 501) || status === 429) {
        lastError = res;
        if (attempt < retryMax) continue;
        return /** @type {any} */ (res);
      }
      return /** @type {any} */ (res);
    } catch (error) {
      lastError = error;
    }
  }
  if (lastError && typeof lastError === "object" && "status" in lastError)
    return /** @type {any} */ (lastError);
  throw new Error(
    `${method} ${redactUrl(address)} giving up after ${retryMax + 1} attempt(s): ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  );
}

/** A JSON body's headers: every write, LOCK and UNLOCK carries its MD5 (seen with Terraform 1.11.4). */
function jsonHeaders(/** @type {string} */ body) {
  return {
    "Content-Type": "application/json",
    "Content-MD5": createHash("md5").update(body).digest("base64"),
  };
}

function redactUrl(/** @type {string} */ address) {
  try {
    const u = new URL(address);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return address;
  }
}

function newLockInfo(/** @type {string} */ operation) {
  return {
    ID: randomUUID(),
    Operation: operation,
    Info: "",
    Who: `${os.userInfo().username}@${os.hostname()}`,
    Version: VERSION,
    // Go's time.Time in JSON: RFC 3339 with the fraction's trailing zeros dropped.
    Created: new Date().toISOString().replace(/\.?0*Z$/, "Z"),
    Path: "",
  };
}

/** Go's time.Time.String() of an RFC 3339 UTC time: "2026-12-01 23:22:47.297 +0000 UTC". */
function goTimeString(/** @type {string} */ rfc3339) {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/.exec(rfc3339);
  return m ? `${m[1]} ${m[2]} +0000 UTC` : rfc3339;
}

function lockFailure(/** @type {string} */ message, /** @type {any} */ info) {
  let detail = `Error message: ${message}`;
  if (info) {
    detail +=
      `\nLock Info:\n  ID:        ${info.ID ?? ""}\n  Path:      ${info.Path ?? ""}\n  Operation: ${info.Operation ?? ""}\n` +
      `  Who:       ${info.Who ?? ""}\n  Version:   ${info.Version ?? ""}\n  Created:   ${goTimeString(info.Created ?? "")}\n  Info:      ${info.Info ?? ""}\n`;
  }
  detail +=
    `\n\n${PRODUCT} acquires a state lock to protect the state from being written\nby multiple users at the same time. ` +
    `Please resolve the issue above and try\nagain. For most commands, you can disable locking with the "-lock=false"\nflag, but this is not recommended.`;
  return new Fail("Error acquiring the state lock", detail);
}

/** @returns {Backend} */
function httpBackend(/** @type {Record<string, unknown>} */ saved) {
  const s = httpSettings(saved);
  const address = s["address"];
  if (!address) {
    throw new Fail(
      "Missing required argument",
      'The argument "address" is required, but no definition was found.',
    );
  }
  const lockingEnabled = Boolean(s["lock_address"] && s["unlock_address"]);
  /** @type {any} */
  let lockInfo = null;
  const authError = (/** @type {number} */ status) =>
    status === 401
      ? "HTTP remote state endpoint requires auth"
      : "HTTP remote state endpoint invalid auth";
  return {
    describe: "http",
    async read() {
      let res;
      try {
        res = await httpRequest("GET", address, s, undefined);
      } catch (error) {
        throw new Fail(
          "Failed to load state",
          `Failed to load state: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (
        res.status === 204 ||
        res.status === 404 ||
        (res.status === 200 && res.body.trim() === "")
      )
        return null;
      if (res.status === 401 || res.status === 403)
        throw new Fail(`error loading state: ${authError(res.status)}`, "");
      if (res.status !== 200)
        throw new Fail(`error loading state: Unexpected HTTP response code ${res.status}`, "");
      try {
        return JSON.parse(res.body);
      } catch {
        throw new Fail(
          "error loading state: Failed to decode state",
          `The state at ${redactUrl(address)} is not valid JSON.`,
        );
      }
    },
    async write(state) {
      const body = goJson(state, 2) + "\n";
      let url = address;
      if (lockInfo)
        url += `${address.includes("?") ? "&" : "?"}ID=${encodeURIComponent(lockInfo.ID)}`;
      const res = await httpRequest(s["update_method"] ?? "POST", url, s, body, jsonHeaders(body));
      if (![200, 201, 204].includes(res.status)) {
        throw new Fail("Failed to save state", `Error saving state: HTTP error: ${res.status}`);
      }
    },
    async lock(op, timeoutMs) {
      if (!lockingEnabled) return;
      const info = newLockInfo(op);
      const deadline = Date.now() + timeoutMs;
      let delay = 1000;
      for (;;) {
        let res;
        try {
          res = await httpRequest(
            s["lock_method"] ?? "LOCK",
            /** @type {string} */ (s["lock_address"]),
            s,
            goJson(info),
            jsonHeaders(goJson(info)),
          );
        } catch (error) {
          throw lockFailure(
            `HTTP remote state lock failed: ${error instanceof Error ? error.message : String(error)}`,
            null,
          );
        }
        if (res.status === 200) {
          lockInfo = info;
          return;
        }
        if (res.status === 401 || res.status === 403)
          throw lockFailure(authError(res.status), null);
        if (res.status !== 409 && res.status !== 423)
          throw lockFailure(`Unexpected HTTP response code ${res.status}`, null);
        /** @type {any} */
        let holder;
        let retriable = true;
        try {
          holder = JSON.parse(res.body);
          // OpenTofu's code gives up on a holder without an ID (CLI-CONTRACT.md §7); Terraform
          // 1.11.4 was seen retrying every 409/423 until -lock-timeout, whatever the body.
          retriable = !TOFU || Boolean(holder && holder.ID);
        } catch {
          holder = undefined;
        }
        // The failure shows the engine's own LockInfo; the holder only by its ID (seen with
        // Terraform 1.11.4: its "Lock Info" is the lock it asked for, never the holder's).
        const message = holder
          ? `HTTP remote state already locked: ID=${holder.ID ?? ""}`
          : "HTTP remote state already locked, failed to unmarshal body";
        if (!retriable || Date.now() >= deadline) throw lockFailure(message, info);
        const wait = Math.min(delay, deadline - Date.now());
        await sleep(wait);
        if (Date.now() >= deadline && wait < delay) throw lockFailure(message, info);
        if (delay < 16000) delay *= 2;
      }
    },
    async unlock() {
      if (!lockInfo) return;
      const info = lockInfo;
      lockInfo = null;
      const res = await httpRequest(
        s["unlock_method"] ?? "UNLOCK",
        /** @type {string} */ (s["unlock_address"]),
        s,
        goJson(info),
        jsonHeaders(goJson(info)),
      ).catch((e) => ({ status: 0, body: String(e) }));
      if (res.status !== 200) {
        throw new Fail(
          "Error releasing the state lock",
          `Error message: HTTP remote state unlock failed (status ${res.status})\n\n${PRODUCT} acquired a lock on the state for you, but failed to release it.\n` +
            `You may have to force-unlock with "${BIN} force-unlock ${info.ID}".`,
        );
      }
    },
  };
}

/** @returns {Backend} */
function localBackend(/** @type {string} */ file) {
  return {
    describe: "local",
    async read() {
      if (!fs.existsSync(file)) return null;
      const text = fs.readFileSync(file, "utf8");
      if (text.trim() === "") return null;
      try {
        return JSON.parse(text);
      } catch {
        throw new Fail(
          "Failed to load state",
          `Error reading ${file}: the state file is not valid JSON.`,
        );
      }
    },
    async write(state) {
      if (fs.existsSync(file)) fs.copyFileSync(file, `${file}.backup`);
      fs.writeFileSync(file, goJson(state, 2) + "\n");
    },
    async lock() {},
    async unlock() {},
  };
}

// ---------------------------------------------------------------------------------------------
// Variables

/** Converts a string given on the command line or in TF_VAR_ to the declared type. */
async function convertVarString(/** @type {string} */ text, /** @type {VarDecl} */ decl) {
  const type = decl.type ?? "string";
  if (type === "string" || (type === "any" && !/^[[{]/.test(text.trim()))) return text;
  if (type === "number") {
    if (!/^-?\d+(\.\d+)?$/.test(text.trim()))
      throw new Fail("Invalid value for input variable", `a number is required`);
    return Number(text);
  }
  if (type === "bool") {
    if (text !== "true" && text !== "false")
      throw new Fail("Invalid value for input variable", `a bool is required`);
    return text === "true";
  }
  const doc = await parseHcl("<value for var>", `v = ${text}\n`);
  return doc.v;
}

/** @returns {Promise<Record<string, any>>} values, Sens-wrapped when the variable is sensitive */
async function resolveVariables(
  /** @type {Config} */ config,
  /** @type {string} */ dir,
  /** @type {{ var: string[], "var-file": string[] }} */ flags,
  /** @type {string[]} */ order,
) {
  /** @type {Record<string, unknown>} */
  const values = {};
  /** @type {Record<string, true>} */
  const given = {};
  for (const [name, decl] of Object.entries(config.variables)) {
    if (decl.hasDefault) values[name] = decl.default;
    const env = process.env[`TF_VAR_${name}`];
    if (env !== undefined) {
      values[name] = await convertVarString(env, decl);
      given[name] = true;
    }
  }
  const fromFile = async (/** @type {string} */ file) => {
    const full = path.resolve(dir, file);
    if (!fs.existsSync(full))
      throw new Fail(
        "Failed to read variables file",
        `Given variables file ${file} does not exist.`,
      );
    const doc = await parseHcl(path.basename(file), fs.readFileSync(full, "utf8"));
    for (const [name, value] of Object.entries(doc)) {
      if (name in config.variables) {
        values[name] = value;
        given[name] = true;
      }
    }
  };
  if (fs.existsSync(path.join(dir, "terraform.tfvars"))) await fromFile("terraform.tfvars");
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith(".auto.tfvars"))
    .sort())
    await fromFile(f);
  let vi = 0;
  let fi = 0;
  for (const kind of order) {
    if (kind === "var") {
      const raw = flags.var[vi++] ?? "";
      const eq = raw.indexOf("=");
      if (eq <= 0)
        throw new Fail(
          "Invalid -var option",
          `The given -var option ${JSON.stringify(raw)} is not correctly specified. It must be a variable name and value separated an equals sign, like -var="key=value".`,
        );
      const name = raw.slice(0, eq).trim();
      const decl = config.variables[name];
      if (!decl) {
        throw new Fail(
          "Value for undeclared variable",
          `A variable named "${name}" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a "variable" block to the configuration.`,
        );
      }
      values[name] = await convertVarString(raw.slice(eq + 1), decl);
      given[name] = true;
    } else await fromFile(flags["var-file"][fi++] ?? "");
  }
  for (const [name, decl] of Object.entries(config.variables)) {
    if (!(name in values)) {
      throw new Fail(
        "No value for required variable",
        `The root module input variable "${name}" is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.`,
        // The range is the block's header, `variable "name"` (Terraform 1.11.4).
        { range: findRange(config, decl.file, new RegExp(`variable\\s+"${name}"`)) },
      );
    }
  }
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k,
      sensitiveWrap(v, config.variables[k]?.sensitive ?? false),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Addresses and the state model

/** @param {string} type @param {string} name @param {string|number|null} key */
function addressOf(type, name, key) {
  return `${type}.${name}${key === null ? "" : typeof key === "number" ? `[${key}]` : `[${JSON.stringify(key)}]`}`;
}
function resourceAddrObject(
  /** @type {string} */ type,
  /** @type {string} */ name,
  /** @type {string|number|null} */ key,
) {
  const addr = addressOf(type, name, key);
  return {
    addr,
    module: "",
    resource: addr,
    implied_provider: type.split("_")[0],
    resource_type: type,
    resource_name: name,
    resource_key: key,
  };
}
/**
 * `terraform_data` belongs to the engine's built-in provider: nothing to install, no lock-file
 * entry, and this source address in plans and states (Terraform 1.11.4; OpenTofu keeps it).
 */
const BUILTIN_PROVIDER = "terraform.io/builtin/terraform";
const providerSource = (/** @type {string} */ local) =>
  local === "terraform" ? BUILTIN_PROVIDER : `${REGISTRY}/hashicorp/${local}`;
const providerName = (/** @type {string} */ type) => providerSource(type.split("_")[0] ?? type);
const stateProvider = (/** @type {string} */ type) => `provider["${providerName(type)}"]`;

/** @typedef {{ addr: string, type: string, name: string, key: string|number|null, attributes: Record<string, any>, sensitive_attributes: any[], dependencies: string[] }} StateInstance */

/** @returns {Map<string, StateInstance>} */
function stateInstances(/** @type {StateV4|null} */ state) {
  const map = new Map();
  for (const r of state?.resources ?? []) {
    if (r.mode !== "managed") continue;
    for (const i of r.instances ?? []) {
      const key = i.index_key ?? null;
      const addr = addressOf(r.type, r.name, key);
      map.set(addr, {
        addr,
        type: r.type,
        name: r.name,
        key,
        attributes: decodeDynamic(r.type, i.attributes ?? {}),
        sensitive_attributes: i.sensitive_attributes ?? [],
        dependencies: i.dependencies ?? [],
      });
    }
  }
  return map;
}

/** Builds state v4 `resources` from instances. @param {Iterable<StateInstance>} instances @param {Record<string, "single"|"list"|"map">} eachMode */
function stateResources(instances, eachMode) {
  /** @type {Map<string, any>} */
  const byResource = new Map();
  for (const i of [...instances].sort(compareInstances)) {
    const id = `${i.type}.${i.name}`;
    let r = byResource.get(id);
    if (!r) {
      r = { mode: "managed", type: i.type, name: i.name };
      const mode =
        eachMode[id] ?? (i.key === null ? "single" : typeof i.key === "number" ? "list" : "map");
      if (mode !== "single") r.each = mode;
      r.provider = stateProvider(i.type);
      r.instances = [];
      byResource.set(id, r);
    }
    /** @type {Record<string, unknown>} */
    const inst = {};
    if (i.key !== null) inst["index_key"] = i.key;
    inst["schema_version"] = 0;
    inst["attributes"] = canonical(encodeDynamic(i.type, i.attributes));
    inst["sensitive_attributes"] = i.sensitive_attributes;
    if (i.dependencies.length > 0) inst["dependencies"] = i.dependencies;
    r.instances.push(inst);
  }
  return [...byResource.values()];
}

function compareInstances(
  /** @type {{type: string, name: string, key: any}} */ a,
  /** @type {{type: string, name: string, key: any}} */ b,
) {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.key === b.key) return 0;
  if (a.key === null) return -1;
  if (b.key === null) return 1;
  if (typeof a.key === "number" && typeof b.key === "number") return a.key - b.key;
  return String(a.key) < String(b.key) ? -1 : 1;
}

/** null_resource's ids are big decimal numbers; terraform_data's are UUIDs. */
function newResourceId(/** @type {string} */ type) {
  if (type === "terraform_data") return randomUUID();
  return (BigInt(randomInt(2 ** 47)) * 65536n + BigInt(randomInt(65536))).toString();
}

/**
 * terraform_data's planned `output`: its `input` once applied, so known only when the instance is
 * kept and its input is unchanged (otherwise "known after apply", as the real plan says).
 * @param {any} attrs @param {StateInstance|undefined} prior
 * @returns {any}
 */
function terraformDataOutput(attrs, prior) {
  if (prior && isKnown(attrs.input) && deepEqual(plain(attrs.input), prior.attributes["input"]))
    return instanceValue(prior)["output"];
  return UNKNOWN;
}

/** terraform_data's dynamically typed attributes: the state keeps each as `{value, type}`. */
const DYNAMIC_ATTRIBUTES = ["input", "output", "triggers_replace"];

/** @returns {Record<string, any>} */
function encodeDynamic(/** @type {string} */ type, /** @type {Record<string, any>} */ attrs) {
  if (type !== "terraform_data") return attrs;
  const encoded = { ...attrs };
  for (const name of DYNAMIC_ATTRIBUTES) {
    const v = encoded[name];
    if (v !== null && v !== undefined) encoded[name] = { value: v, type: typeOf(v) };
  }
  return encoded;
}

/** @returns {Record<string, any>} */
function decodeDynamic(/** @type {string} */ type, /** @type {Record<string, any>} */ attrs) {
  if (type !== "terraform_data") return attrs;
  const decoded = { ...attrs };
  for (const name of DYNAMIC_ATTRIBUTES) {
    const v = decoded[name];
    if (v && typeof v === "object" && "value" in v) decoded[name] = v.value;
  }
  return decoded;
}

/** A state instance's attributes with Sens markers restored. */
const instanceValue = (/** @type {StateInstance} */ i) =>
  applySensitivePaths(i.attributes, i.sensitive_attributes);

// ---------------------------------------------------------------------------------------------
// Planning

/** Sorts object keys (as Go/cty do) while keeping the markers. @returns {any} */
function sortMarked(/** @type {any} */ v) {
  if (v instanceof Sens) return new Sens(sortMarked(v.v));
  if (Array.isArray(v)) return v.map(sortMarked);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortMarked(v[k])]),
    );
  return v;
}

/** The declared resources a value refers to ("type.name"). */
function resourceRefs(/** @type {any} */ v, /** @type {Set<string>} */ declared) {
  const ids = new Set();
  for (const ref of referencesOf(v)) {
    const m = /^([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)/.exec(ref);
    if (m && declared.has(`${m[1]}.${m[2]}`)) ids.add(`${m[1]}.${m[2]}`);
  }
  return [...ids];
}

/**
 * @typedef {{ addr: string, id: string, type: string, name: string, key: string|number|null, body: Record<string, any>, count?: number, each?: { key: string, value: unknown } }} Desired
 * @typedef {{ addr: string, id: string, type: string, name: string, key: string|number|null, actions: string[], action: string, reason?: string, actionReason?: string, before: any, after: any, body?: Record<string, any>, count?: number, each?: { key: string, value: unknown } }} Change
 * @typedef {{ name: string, actions: string[], before: any, beforeSensitive: boolean, after: any, sensitive: boolean, expr: unknown }} OutputChangeP
 */

/**
 * @param {Config} config @param {Record<string, any>} vars @param {StateV4|null} state
 * @param {{ destroy: boolean, targets: string[], replace: string[] }} opts
 */
function planChanges(config, vars, state, opts) {
  const prior = stateInstances(state);
  const declById = new Map(config.resources.map((d) => [`${d.type}.${d.name}`, d]));
  const declared = new Set(declById.keys());
  const types = new Set(config.resources.map((d) => d.type));
  /** @type {Record<string, string[]>} */
  const deps = {};
  for (const [id, d] of declById) deps[id] = resourceRefs(d.body, declared).filter((x) => x !== id);

  // Resource order (dependencies first), with cycle detection.
  /** @type {string[]} */
  const order = [];
  const visiting = new Set();
  const visit = (/** @type {string} */ id, /** @type {string[]} */ trail) => {
    if (order.includes(id)) return;
    if (visiting.has(id))
      throw new Fail("Cycle", `Cycle: ${[...trail.slice(trail.indexOf(id)), id].join(", ")}`);
    visiting.add(id);
    for (const d of deps[id] ?? []) visit(d, [...trail, id]);
    visiting.delete(id);
    order.push(id);
  };
  for (const id of [...declById.keys()].sort()) visit(id, []);

  // Targeting: the targeted instances or resources and everything they depend on.
  const targeting = opts.targets.length > 0;
  const targetHit = (/** @type {string} */ addr, /** @type {string} */ id) =>
    opts.targets.some((t) => t === addr || t === id);
  const includedIds = new Set();
  const includeDeps = (/** @type {string} */ id) => {
    for (const d of deps[id] ?? []) {
      if (includedIds.has(d)) continue;
      includedIds.add(d);
      includeDeps(d);
    }
  };
  if (targeting)
    for (const id of declById.keys())
      if (opts.targets.some((t) => t === id || t.startsWith(`${id}[`))) includeDeps(id);
  const included = (/** @type {string} */ addr, /** @type {string} */ id) =>
    !targeting || includedIds.has(id) || targetHit(addr, id);

  /** @type {Ctx} */
  const ctx = {
    vars,
    locals: config.locals,
    isResourceType: (t) => types.has(t) || t.includes("_"),
    resource: (t, n) => resourceValue(t, n),
  };

  /** @type {Map<string, { mode: "single"|"list"|"map", instances: Desired[] }>} */
  const expansions = new Map();
  const expand = (/** @type {string} */ id) => {
    const known = expansions.get(id);
    if (known) return known;
    const d = /** @type {ResourceDecl} */ (declById.get(id));
    const body = Object.fromEntries(Object.entries(d.body).filter(([k]) => !META_ARGS.has(k)));
    /** @type {{ mode: "single"|"list"|"map", instances: Desired[] }} */
    let result;
    if ("count" in d.body) {
      const c = unwrap(evalValue(d.body.count, ctx));
      if (!isKnown(c))
        throw new Fail(
          "Invalid count argument",
          `The "count" value depends on resource attributes that cannot be determined until apply, so ${PRODUCT} cannot predict how many instances will be created.`,
        );
      if (typeof c !== "number" || !Number.isInteger(c) || c < 0)
        throw new Fail(
          "Invalid count argument",
          `The given "count" argument value is unsuitable: must be a whole number greater than or equal to zero.`,
        );
      result = {
        mode: "list",
        instances: Array.from({ length: c }, (_, i) => ({
          addr: addressOf(d.type, d.name, i),
          id,
          type: d.type,
          name: d.name,
          key: i,
          body,
          count: i,
        })),
      };
    } else if ("for_each" in d.body) {
      const fe = unwrap(evalValue(d.body.for_each, ctx));
      if (!isKnown(fe))
        throw new Fail(
          "Invalid for_each argument",
          `The "for_each" value depends on resource attributes that cannot be determined until apply.`,
        );
      /** @type {[string, unknown][]} */
      let entries;
      if (Array.isArray(fe)) entries = fe.map((v) => [String(unwrap(v)), unwrap(v)]);
      else if (fe && typeof fe === "object") entries = Object.entries(fe);
      else
        throw new Fail(
          "Invalid for_each argument",
          `The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings.`,
        );
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      result = {
        mode: "map",
        instances: entries.map(([key, value]) => ({
          addr: addressOf(d.type, d.name, key),
          id,
          type: d.type,
          name: d.name,
          key,
          body,
          each: { key, value },
        })),
      };
    } else {
      result = {
        mode: "single",
        instances: [
          {
            addr: addressOf(d.type, d.name, null),
            id,
            type: d.type,
            name: d.name,
            key: null,
            body,
          },
        ],
      };
    }
    expansions.set(id, result);
    return result;
  };

  /** @type {Map<string, any>} */
  const planned = new Map();
  const computing = new Set();
  const plannedValue = (/** @type {Desired} */ inst) => {
    if (planned.has(inst.addr)) return planned.get(inst.addr);
    const p = prior.get(inst.addr);
    if (!included(inst.addr, inst.id)) {
      const v = p ? instanceValue(p) : UNKNOWN;
      planned.set(inst.addr, v);
      return v;
    }
    if (computing.has(inst.addr))
      throw new Fail("Cycle", `Cycle: ${[...computing, inst.addr].join(", ")}`);
    computing.add(inst.addr);
    /** @type {Ctx} */
    const ictx = {
      ...ctx,
      ...(inst.count !== undefined ? { count: inst.count } : {}),
      ...(inst.each ? { each: inst.each } : {}),
    };
    const attrs = conformToSchema(inst.type, evalValue(inst.body, ictx));
    const keepId = p && !opts.replace.includes(inst.addr);
    const value = sortMarked({
      ...attrs,
      ...(inst.type === "terraform_data"
        ? { output: terraformDataOutput(attrs, keepId ? p : undefined) }
        : {}),
      id: keepId ? p.attributes["id"] : UNKNOWN,
    });
    computing.delete(inst.addr);
    planned.set(inst.addr, value);
    return value;
  };
  const resourceValue = (/** @type {string} */ type, /** @type {string} */ name) => {
    const id = `${type}.${name}`;
    if (!declById.has(id)) {
      throw new Fail(
        "Reference to undeclared resource",
        `A managed resource "${type}" "${name}" has not been declared in the root module.`,
      );
    }
    const e = expand(id);
    if (e.mode === "single") return plannedValue(/** @type {Desired} */ (e.instances[0]));
    if (e.mode === "list") return e.instances.map(plannedValue);
    return Object.fromEntries(e.instances.map((i) => [String(i.key), plannedValue(i)]));
  };

  /** @type {Change[]} */
  const changes = [];
  /** @type {Record<string, "single"|"list"|"map">} */
  const eachMode = {};
  const desiredAddrs = new Set();
  if (!opts.destroy) {
    for (const id of order) {
      const e = expand(id);
      eachMode[id] = e.mode;
      for (const inst of e.instances) {
        desiredAddrs.add(inst.addr);
        if (!included(inst.addr, id)) continue;
        const after = plannedValue(inst);
        const p = prior.get(inst.addr);
        const common = {
          addr: inst.addr,
          id,
          type: inst.type,
          name: inst.name,
          key: inst.key,
          after,
          body: inst.body,
          ...(inst.count !== undefined ? { count: inst.count } : {}),
          ...(inst.each ? { each: inst.each } : {}),
        };
        if (!p) {
          changes.push({ ...common, actions: ["create"], action: "create", before: null });
          continue;
        }
        const before = instanceValue(p);
        if (opts.replace.includes(inst.addr)) {
          changes.push({
            ...common,
            actions: ["delete", "create"],
            action: "replace",
            reason: "requested",
            actionReason: "replace_by_request",
            before,
          });
        } else if (
          isKnown(after) &&
          deepEqual(plain(after), p.attributes) &&
          deepEqual(sensitiveMask(after), sensitiveMask(before))
        ) {
          changes.push({ ...common, actions: ["no-op"], action: "noop", before });
        } else {
          changes.push({ ...common, actions: ["update"], action: "update", before });
        }
      }
    }
  }
  for (const p of prior.values()) {
    if (desiredAddrs.has(p.addr)) continue;
    const id = `${p.type}.${p.name}`;
    if (targeting && !targetHit(p.addr, id) && !(opts.destroy && includedIds.has(id))) continue;
    /** @type {string|undefined} */
    let reason;
    if (!opts.destroy) {
      const mode = declById.has(id) ? eachMode[id] : undefined;
      if (!mode) reason = "delete_because_no_resource_config";
      else if (mode === "list" && typeof p.key === "number") reason = "delete_because_count_index";
      else if (mode === "map" && typeof p.key === "string") reason = "delete_because_each_key";
      else reason = "delete_because_wrong_repetition";
    }
    changes.push({
      addr: p.addr,
      id,
      type: p.type,
      name: p.name,
      key: p.key,
      actions: ["delete"],
      action: "delete",
      ...(reason ? { reason, actionReason: reason } : {}),
      before: instanceValue(p),
      after: null,
    });
  }
  changes.sort(compareInstances);

  /** @type {OutputChangeP[]} */
  const outputChanges = [];
  const priorOutputs = state?.outputs ?? {};
  if (opts.destroy) {
    for (const [name, o] of Object.entries(priorOutputs)) {
      outputChanges.push({
        name,
        actions: ["delete"],
        before: o.value,
        beforeSensitive: Boolean(o.sensitive),
        after: null,
        sensitive: false,
        expr: null,
      });
    }
  } else {
    for (const [name, o] of Object.entries(config.outputs)) {
      const refs = resourceRefs(o.value, declared);
      if (
        targeting &&
        !refs.some(
          (id) =>
            includedIds.has(id) || opts.targets.some((t) => t === id || t.startsWith(`${id}[`)),
        )
      )
        continue;
      const value = evalValue(o.value, ctx);
      if (isSensitive(value) && !o.sensitive) {
        throw new Fail(
          "Output refers to sensitive values",
          `To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, ${PRODUCT} requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true`,
          { range: findRange(config, o.file, new RegExp(`output\\s+"${name}"\\s*\\{`)) },
        );
      }
      const before = priorOutputs[name];
      let actions = ["no-op"];
      if (!before) actions = ["create"];
      else if (
        !isKnown(value) ||
        !deepEqual(plain(value), before.value) ||
        Boolean(before.sensitive) !== o.sensitive
      )
        actions = ["update"];
      outputChanges.push({
        name,
        actions,
        before: before ? before.value : null,
        beforeSensitive: Boolean(before?.sensitive),
        after: value,
        sensitive: o.sensitive,
        expr: o.value,
      });
    }
    if (!targeting) {
      for (const [name, o] of Object.entries(priorOutputs)) {
        if (name in config.outputs) continue;
        outputChanges.push({
          name,
          actions: ["delete"],
          before: o.value,
          beforeSensitive: Boolean(o.sensitive),
          after: null,
          sensitive: false,
          expr: null,
        });
      }
    }
  }
  outputChanges.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { changes, outputChanges, eachMode, deps, order, planned };
}

// ---------------------------------------------------------------------------------------------
// JSON representations (plan: CLI-CONTRACT.md §3; state: `show -json` without a plan)

/** The `values` representation of a state (prior_state, `show -json`). */
function jsonStateValues(/** @type {StateV4} */ state) {
  /** @type {Record<string, unknown>} */
  const values = {};
  const outputs = Object.entries(state.outputs ?? {});
  if (outputs.length > 0) {
    values["outputs"] = Object.fromEntries(
      outputs.map(([k, o]) => [
        k,
        { sensitive: Boolean(o.sensitive), value: o.value, type: o.type ?? typeOf(o.value) },
      ]),
    );
  }
  const resources = [...stateInstances(state).values()].sort(compareInstances).map((i) => ({
    address: i.addr,
    mode: "managed",
    type: i.type,
    name: i.name,
    ...(i.key !== null ? { index: i.key } : {}),
    provider_name: providerName(i.type),
    schema_version: 0,
    values: canonical(i.attributes),
    sensitive_values: sensitiveMask(instanceValue(i)),
  }));
  values["root_module"] = resources.length > 0 ? { resources } : {};
  return values;
}

function jsonState(/** @type {StateV4|null} */ state) {
  if (!state) return { format_version: "1.0" };
  return {
    format_version: "1.0",
    terraform_version: state.terraform_version,
    values: jsonStateValues(state),
  };
}

function expressionJson(/** @type {any} */ v) {
  const refs = [...referencesOf(v)];
  return refs.length > 0 ? { references: refs } : { constant_value: v };
}

function configurationJson(/** @type {Config} */ config) {
  /** @type {Record<string, unknown>} */
  const providerConfig = {};
  for (const [local, constraint] of Object.entries(config.providers).sort()) {
    providerConfig[local] = {
      name: local,
      full_name: providerSource(local),
      ...(constraint ? { version_constraint: constraint } : {}),
    };
  }
  /** @type {Record<string, unknown>} */
  const root = {};
  const outputs = Object.entries(config.outputs);
  if (outputs.length > 0) {
    root["outputs"] = Object.fromEntries(
      outputs
        .sort()
        .map(([k, o]) => [
          k,
          { ...(o.sensitive ? { sensitive: true } : {}), expression: expressionJson(o.value) },
        ]),
    );
  }
  if (config.resources.length > 0) {
    root["resources"] = [...config.resources]
      .sort((a, b) => compareInstances({ ...a, key: null }, { ...b, key: null }))
      .map((r) => {
        /** @type {Record<string, unknown>} */
        const expressions = {};
        for (const [k, v] of Object.entries(r.body).sort())
          if (!META_ARGS.has(k)) expressions[k] = expressionJson(v);
        return {
          address: `${r.type}.${r.name}`,
          mode: "managed",
          type: r.type,
          name: r.name,
          provider_config_key: r.type.split("_")[0],
          expressions,
          schema_version: 0,
          ...("count" in r.body ? { count_expression: expressionJson(r.body.count) } : {}),
          ...("for_each" in r.body ? { for_each_expression: expressionJson(r.body.for_each) } : {}),
          ...("depends_on" in r.body ? { depends_on: [...referencesOf(r.body.depends_on)] } : {}),
        };
      });
  }
  const variables = Object.entries(config.variables);
  if (variables.length > 0) {
    root["variables"] = Object.fromEntries(
      variables.sort().map(([k, v]) => [
        k,
        {
          ...(v.type ? { type: v.type } : {}),
          ...(v.hasDefault ? { default: v.default } : {}),
          ...(v.description ? { description: v.description } : {}),
          ...(v.sensitive ? { sensitive: true } : {}),
        },
      ]),
    );
  }
  return { provider_config: providerConfig, root_module: root };
}

/** The JSON plan (`show -json PLANFILE`). */
function buildJsonPlan(
  /** @type {Config} */ config,
  /** @type {Record<string, any>} */ vars,
  /** @type {StateV4|null} */ state,
  /** @type {ReturnType<typeof planChanges>} */ p,
  /** @type {boolean} */ destroy,
) {
  const resourceChanges = p.changes.map((c) => {
    /** @type {Record<string, unknown>} */
    let change;
    if (c.actions[0] === "create") {
      change = {
        actions: c.actions,
        before: null,
        after: plain(c.after),
        after_unknown: afterUnknown(c.after),
        before_sensitive: false,
        after_sensitive: sensitiveMask(c.after),
      };
    } else if (c.action === "delete") {
      change = {
        actions: c.actions,
        before: plain(c.before),
        after: null,
        after_unknown: {},
        before_sensitive: sensitiveMask(c.before),
        after_sensitive: false,
      };
    } else {
      const after =
        c.action === "replace"
          ? Object.fromEntries(Object.entries(c.after).filter(([k]) => k !== "id"))
          : c.after;
      change = {
        actions: c.actions,
        before: plain(c.before),
        after: plain(after),
        after_unknown: afterUnknown(c.action === "replace" ? c.after : after),
        before_sensitive: sensitiveMask(c.before),
        after_sensitive: sensitiveMask(after),
      };
      if (c.action === "replace")
        change["after_unknown"] = sortMarked({
          .../** @type {object} */ (change["after_unknown"]),
          id: true,
        });
    }
    return {
      address: c.addr,
      mode: "managed",
      type: c.type,
      name: c.name,
      ...(c.key !== null ? { index: c.key } : {}),
      provider_name: providerName(c.type),
      change,
      ...(c.actionReason ? { action_reason: c.actionReason } : {}),
    };
  });
  /** @type {Record<string, unknown>} */
  const outputChanges = {};
  for (const o of p.outputChanges) {
    const known = o.after !== null && isKnown(o.after);
    // The plan keeps one flag per output change, "the old or the new value is sensitive", and
    // both masks repeat it (TF internal/command/jsonplan marshalOutputChanges): a sensitive
    // output being created has before_sensitive true too.
    const sensitive = o.sensitive || o.beforeSensitive;
    outputChanges[o.name] =
      o.actions[0] === "delete"
        ? {
            actions: o.actions,
            before: o.before,
            after: null,
            after_unknown: false,
            before_sensitive: sensitive,
            after_sensitive: sensitive,
          }
        : {
            actions: o.actions,
            before: o.before,
            ...(known || o.after === null ? { after: plain(o.after) } : {}),
            after_unknown: known || o.after === null ? false : unknownMask(o.after),
            before_sensitive: sensitive,
            after_sensitive: sensitive,
          };
  }
  /** @type {Record<string, unknown>} */
  const plannedOutputs = {};
  for (const o of p.outputChanges) {
    if (o.actions[0] === "delete") continue;
    plannedOutputs[o.name] = isKnown(o.after)
      ? { sensitive: o.sensitive, type: typeOf(o.after), value: plain(o.after) }
      : { sensitive: o.sensitive };
  }
  // Resources that exist after the plan: planned ones plus untouched (untargeted) ones from state.
  const touched = new Set(p.changes.map((c) => c.addr));
  const after = [
    ...p.changes
      .filter((c) => c.action !== "delete")
      .map((c) => ({
        addr: c.addr,
        type: c.type,
        name: c.name,
        key: c.key,
        value:
          c.action === "replace"
            ? Object.fromEntries(Object.entries(c.after).filter(([k]) => k !== "id"))
            : c.after,
      })),
    ...(destroy
      ? []
      : [...stateInstances(state).values()]
          .filter((i) => !touched.has(i.addr))
          .map((i) => ({
            addr: i.addr,
            type: i.type,
            name: i.name,
            key: i.key,
            value: instanceValue(i),
          }))),
  ].sort(compareInstances);
  const plannedResources = after.map((r) => ({
    address: r.addr,
    mode: "managed",
    type: r.type,
    name: r.name,
    ...(r.key !== null ? { index: r.key } : {}),
    provider_name: providerName(r.type),
    schema_version: 0,
    values: plain(r.value),
    sensitive_values: sensitiveMask(r.value),
  }));
  /** @type {Record<string, unknown>} */
  const plannedValues = {};
  if (Object.keys(plannedOutputs).length > 0) plannedValues["outputs"] = plannedOutputs;
  plannedValues["root_module"] = plannedResources.length > 0 ? { resources: plannedResources } : {};

  // Only what a change refers to is relevant: an output planned as no-op contributes nothing
  // (Terraform 1.11.4 leaves relevant_attributes out of a plan whose outputs all stay the same).
  const relevant = [];
  const changedOutputs = p.outputChanges.filter((o) => o.actions[0] !== "no-op");
  for (const o of changedOutputs.map((c) => config.outputs[c.name]).filter((o) => o)) {
    for (const ref of referencesOf(o.value)) {
      const m = /^([A-Za-z_][\w-]*\.[A-Za-z_][\w-]*(?:\[[^\]]+\])?)\.([\w-]+)$/.exec(ref);
      if (m && !ref.startsWith("var.") && !ref.startsWith("local."))
        relevant.push({ resource: m[1], attribute: [m[2]] });
    }
  }
  const hasChanges =
    p.changes.some((c) => c.action !== "noop") ||
    p.outputChanges.some((o) => o.actions[0] !== "no-op");
  /** @type {Record<string, unknown>} */
  const doc = { format_version: "1.2", terraform_version: VERSION };
  if (Object.keys(vars).length > 0)
    doc["variables"] = Object.fromEntries(
      Object.entries(vars).map(([k, v]) => [k, { value: plain(v) }]),
    );
  doc["planned_values"] = plannedValues;
  if (resourceChanges.length > 0) doc["resource_changes"] = resourceChanges;
  if (Object.keys(outputChanges).length > 0) doc["output_changes"] = outputChanges;
  if (state) doc["prior_state"] = jsonState(state);
  doc["configuration"] = configurationJson(config);
  if (relevant.length > 0) doc["relevant_attributes"] = relevant;
  doc["timestamp"] = utcSeconds();
  if (!TOFU) {
    doc["applyable"] = hasChanges;
    doc["complete"] = true;
  }
  doc["errored"] = false;
  return { doc, hasChanges };
}

/**
 * One side of a change for the human plan: the value, its sensitivity mask and its unknown mask.
 * @typedef {{ v: any, s: any, u: any }} Side
 */

/** The part of a side under `key`. @returns {Side} */
function sideAt(/** @type {Side} */ side, /** @type {string} */ key) {
  const at = (/** @type {any} */ mask) =>
    mask === true ? true : mask && typeof mask === "object" ? mask[key] : false;
  return { v: side.v?.[key] ?? null, s: at(side.s), u: at(side.u) };
}

const isObject = (/** @type {any} */ v) => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A value as the real engines print it in a plan: a string quoted, an object as a nested block of
 * `sign key = value` lines with its keys aligned (seen with Terraform 1.11.4).
 */
function humanValue(
  /** @type {Side} */ side,
  /** @type {string} */ indent,
  /** @type {"+"|"-"} */ sign,
) {
  if (side.s === true) return "(sensitive value)";
  if (side.u === true) return "(known after apply)";
  if (!isObject(side.v)) return JSON.stringify(side.v);
  const keys = Object.keys(side.v)
    .filter((k) => side.v[k] !== null)
    .sort();
  const width = Math.max(0, ...keys.map((k) => k.length));
  const lines = keys.map(
    (k) =>
      `${indent}    ${sign} ${k.padEnd(width)} = ${humanValue(sideAt(side, k), `${indent}    `, sign)}\n`,
  );
  return `{\n${lines.join("")}${indent}  }`;
}

/**
 * The attribute lines of a resource (or nested object) change: created and destroyed attributes
 * in full, changed ones as `~ before -> after` (objects key by key), an unchanged `id` shown and
 * other unchanged attributes counted as hidden, nulls left out, names aligned.
 */
function humanBody(
  /** @type {Side} */ before,
  /** @type {Side} */ after,
  /** @type {string} */ indent,
  /** @type {boolean} */ topLevel,
) {
  const keys = [
    ...new Set([
      ...Object.keys(isObject(before.v) ? before.v : {}),
      ...Object.keys(isObject(after.v) ? after.v : {}),
      ...Object.keys(isObject(after.u) ? after.u : {}),
    ]),
  ].sort();
  /** @type {[string, string, (pad: string) => string][]} */
  const shown = [];
  let hidden = 0;
  for (const k of keys) {
    const b = sideAt(before, k);
    const a = sideAt(after, k);
    const gone = b.v !== null && a.v === null && a.u !== true;
    const added = b.v === null && (a.v !== null || a.u === true);
    if (b.v === null && a.v === null && a.u !== true) continue;
    if (gone) shown.push(["-", k, () => `${humanValue(b, indent, "-")} -> null`]);
    else if (added) shown.push(["+", k, () => humanValue(a, indent, "+")]);
    else if (a.u !== true && deepEqual(b.v, a.v) && deepEqual(b.s, a.s)) {
      if (topLevel && k === "id") shown.push([" ", k, () => humanValue(a, indent, "+")]);
      else if (topLevel) hidden++;
      else shown.push([" ", k, () => humanValue(a, indent, "+")]);
    } else if (isObject(b.v) && isObject(a.v) && b.s !== true && a.s !== true)
      shown.push(["~", k, () => `{\n${humanBody(b, a, `${indent}    `, false)}${indent}  }`]);
    else if (b.s === true || a.s === true) shown.push(["~", k, () => "(sensitive value)"]);
    else
      shown.push(["~", k, () => `${humanValue(b, indent, "-")} -> ${humanValue(a, indent, "+")}`]);
  }
  const width = Math.max(0, ...shown.map(([, k]) => k.length));
  let text = shown
    .map(([sign, k, value]) => `${indent}${sign} ${k.padEnd(width)} = ${value(indent)}\n`)
    .join("");
  if (hidden > 0)
    text += `${indent}  # (${hidden} unchanged attribute${hidden === 1 ? "" : "s"} hidden)\n`;
  return text;
}

/** Human text for `show -no-color PLANFILE`. */
function humanPlan(/** @type {any} */ saved) {
  const plan = saved.plan;
  const rcs = /** @type {any[]} */ (plan.resource_changes ?? []).filter(
    (rc) => rc.change.actions[0] !== "no-op",
  );
  const ocs = Object.entries(plan.output_changes ?? {}).filter(
    ([, o]) => /** @type {any} */ (o).actions[0] !== "no-op",
  );
  if (rcs.length === 0 && ocs.length === 0) {
    return (
      "\nNo changes. Your infrastructure matches the configuration.\n\n" +
      `${PRODUCT} has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.\n`
    );
  }
  const sym = { create: "+", delete: "-", update: "~", replace: "-/+" };
  let text = `\n${PRODUCT} used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n`;
  const used = new Set(
    rcs.map((rc) => (rc.change.actions.length === 2 ? "replace" : rc.change.actions[0])),
  );
  if (used.has("create")) text += "  + create\n";
  if (used.has("update")) text += "  ~ update in-place\n";
  if (used.has("delete")) text += "  - destroy\n";
  if (used.has("replace")) text += "-/+ destroy and then create replacement\n";
  if (rcs.length > 0) text += `\n${PRODUCT} will perform the following actions:\n`;
  let add = 0;
  let change = 0;
  let remove = 0;
  for (const rc of rcs) {
    const a = rc.change.actions.length === 2 ? "replace" : rc.change.actions[0];
    const what =
      {
        create: "will be created",
        update: "will be updated in-place",
        delete: "will be destroyed",
        replace: "must be replaced",
      }[/** @type {"create"} */ (a)] ?? a;
    if (a === "create" || a === "replace") add++;
    if (a === "delete" || a === "replace") remove++;
    if (a === "update") change++;
    text += `\n  # ${rc.address} ${what}\n`;
    text += `  ${sym[/** @type {"create"} */ (a)] ?? "?"} resource "${rc.type}" "${rc.name}" {\n`;
    const c = rc.change;
    text += humanBody(
      { v: c.before, s: c.before_sensitive, u: false },
      { v: a === "delete" ? null : c.after, s: c.after_sensitive, u: c.after_unknown },
      "      ",
      true,
    );
    text += "    }\n";
  }
  text += `\nPlan: ${add} to add, ${change} to change, ${remove} to destroy.\n`;
  if (ocs.length > 0) {
    text += "\nChanges to Outputs:\n";
    for (const [name, o] of ocs) {
      const oc = /** @type {any} */ (o);
      const a = oc.actions[0];
      const s = a === "create" ? "+" : a === "delete" ? "-" : "~";
      const pad = name.padEnd(Math.max(...ocs.map(([n]) => n.length)));
      const before = { v: oc.before, s: oc.before_sensitive, u: false };
      const after = { v: oc.after, s: oc.after_sensitive, u: oc.after_unknown };
      const value =
        a === "delete"
          ? `${humanValue(before, "  ", "-")} -> null`
          : a === "update" && !(oc.before_sensitive === true || oc.after_sensitive === true)
            ? `${humanValue(before, "  ", "-")} -> ${humanValue(after, "  ", "+")}`
            : humanValue(after, "  ", "+");
      text += `  ${s} ${pad} = ${value}\n`;
    }
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Working directory: data dir, init marker, backend

const dataDir = () => process.env["TF_DATA_DIR"] || ".terraform";
const platform = () =>
  `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch === "ia32" ? "386" : process.arch}`;

/** Reads the backend saved by init; fails like the real tool when init has not run. */
function ensureInit(/** @type {Config} */ config) {
  const wanted = config.backend?.type ?? "local";
  const marker = path.join(dataDir(), "terraform.tfstate");
  const reinit = (/** @type {string} */ reason) =>
    new Fail(
      `Backend initialization required, please run "${BIN} init"`,
      `Reason: ${reason}\n\nThe "backend" is the interface that ${PRODUCT} uses to store state,\nperform operations, etc. If this message is showing up, it means that the\n${PRODUCT} configuration you're using is using a custom configuration for\nthe ${PRODUCT} backend.\n\nChanges to backend configurations require reinitialization. This allows\n${PRODUCT} to set up the new configuration, copy existing state, etc. Please run\n"${BIN} init" with either the "-reconfigure" or "-migrate-state" flags to\nuse the current configuration.\n\nIf the change reason above is incorrect, please verify your configuration\nhasn't changed and try again. At this point, no changes to your existing\nconfiguration or state have been made.`,
    );
  if (!fs.existsSync(marker))
    throw reinit(`Initial configuration of the requested backend "${wanted}"`);
  /** @type {any} */
  let saved;
  try {
    saved = JSON.parse(fs.readFileSync(marker, "utf8"));
  } catch {
    throw reinit(`Unsetting the previously set backend (${marker} is unreadable)`);
  }
  const type = saved?.backend?.type ?? "local";
  if (type !== wanted) throw reinit(`Backend type changed from "${type}" to "${wanted}"`);
  return /** @type {{ type: string, config: Record<string, unknown> }} */ (saved.backend);
}

/**
 * The selected workspace: TF_WORKSPACE, else what `workspace select` wrote into the data dir's
 * `environment` file, else "default" [OT `internal/command/meta.go` Workspace()].
 */
function currentWorkspace() {
  const fromEnv = process.env["TF_WORKSPACE"];
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir(), "environment");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() || "default" : "default";
}

/**
 * The local backend's state file for a workspace: `path` for "default", and
 * `<workspace_dir>/<name>/terraform.tfstate` for the others [OT
 * `internal/backend/local/backend.go` StatePaths; `language/settings/backends/local.mdx`].
 */
function localStatePath(
  /** @type {Record<string, unknown>} */ config,
  /** @type {string} */ workspace,
) {
  if (workspace === "default") return path.resolve(String(config["path"] ?? "terraform.tfstate"));
  const root = String(config["workspace_dir"] ?? "terraform.tfstate.d");
  return path.resolve(root, workspace, "terraform.tfstate");
}

/** The checksums `.terraform.lock.hcl` records, by `source@version`. */
function lockedHashes() {
  /** @type {Map<string, string[]>} */
  const found = new Map();
  if (!fs.existsSync(".terraform.lock.hcl")) return found;
  const text = fs.readFileSync(".terraform.lock.hcl", "utf8");
  for (const m of text.matchAll(/provider\s+"([^"]+)"\s*\{([^}]*)\}/g)) {
    const version = /version\s*=\s*"([^"]+)"/.exec(m[2] ?? "")?.[1];
    const hashes = [...(m[2] ?? "").matchAll(/"(h1:[^"]+)"/g)].map((h) => h[1] ?? "");
    found.set(`${m[1]}@${version}`, hashes);
  }
  return found;
}

/** @returns {Backend} */
function openBackend(/** @type {{ type: string, config: Record<string, unknown> }} */ saved) {
  const workspace = currentWorkspace();
  if (saved.type === "http") {
    // CLI-CONTRACT.md §7: the http backend has the default workspace only.
    if (workspace !== "default")
      throw new Fail("Failed to get existing workspaces", "workspaces not supported");
    return httpBackend(saved.config ?? {});
  }
  if (saved.type === "local") return localBackend(localStatePath(saved.config ?? {}, workspace));
  throw new Fail(
    "Unsupported backend type",
    `The stand-in engine supports the "local" and "http" backends, not "${saved.type}".`,
  );
}

function lockTimeoutMs(/** @type {Record<string, any>} */ flags) {
  return parseDuration(flags["lock-timeout"] ?? "0s");
}

// ---------------------------------------------------------------------------------------------
// Commands

/** Per-invocation output mode, so that failures come out as JSON diagnostics or human text. */
const session = { json: false, versionPrinted: false };

function startJson() {
  session.json = true;
  if (!session.versionPrinted) {
    emitVersion();
    session.versionPrinted = true;
  }
}

function standinPrint() {
  const text = process.env["STANDIN_PRINT"];
  echoIdentity();
  if (!text) return;
  if (session.json) emit("log", text);
  else out(`${text}\n`);
  err(`${text}\n`);
}

const delayMs = () => Math.max(0, Number(process.env["STANDIN_DELAY_MS"] ?? 0) || 0);

async function cmdVersion(/** @type {string[]} */ args) {
  const { flags } = parseFlags(args, { json: "bool" });
  /** @type {Record<string, string>} */
  const selections = {};
  if (fs.existsSync(".terraform.lock.hcl")) {
    const text = fs.readFileSync(".terraform.lock.hcl", "utf8");
    for (const m of text.matchAll(/provider\s+"([^"]+)"\s*\{[^}]*?version\s*=\s*"([^"]+)"/g))
      selections[m[1] ?? ""] = m[2] ?? "";
  }
  if (flags["json"]) {
    /** @type {Record<string, unknown>} */
    const doc = {
      terraform_version: VERSION,
      platform: platform(),
      provider_selections: selections,
    };
    if (!TOFU) doc["terraform_outdated"] = false;
    out(goJson(doc, 2) + "\n");
  } else {
    out(`${PRODUCT} v${VERSION}\non ${platform()}\n`);
    for (const [p, v] of Object.entries(selections)) out(`+ provider ${p} v${v}\n`);
  }
  return 0;
}

async function cmdInit(/** @type {string[]} */ args) {
  const { flags } = parseFlags(args, {
    input: "bool",
    "no-color": "bool",
    "backend-config": "list",
    "lock-timeout": "string",
    lock: "bool",
    upgrade: "bool",
    json: "bool",
    reconfigure: "bool",
    "migrate-state": "bool",
    "force-copy": "bool",
    backend: "bool",
    get: "bool",
    "plugin-dir": "list",
    lockfile: "string",
    "from-module": "string",
    var: "list",
    "var-file": "list",
  });
  if (flags["json"]) session.json = true;
  const say = (/** @type {string} */ text, /** @type {string} */ code) => {
    if (!session.json) return out(text + "\n");
    for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
      /** @type {Record<string, unknown>} */
      const rec = {
        "@level": "info",
        "@message": line.trim(),
        "@module": UI_MODULE,
        "@timestamp": TOFU ? uiTimestamp() : utcSeconds(),
      };
      if (!TOFU) Object.assign(rec, { message_code: code, type: "init_output" });
      out(goJson(rec) + "\n");
    }
  };
  const config = await loadConfig(".");
  const type = config.backend?.type ?? "local";
  /** @type {Record<string, unknown>} */
  const merged = { ...(config.backend?.config ?? {}) };
  for (const item of flags["backend-config"]) {
    const eq = item.indexOf("=");
    if (eq > 0) merged[item.slice(0, eq).trim()] = item.slice(eq + 1);
    else {
      if (!fs.existsSync(item))
        throw new Fail("Failed to read file", `The file "${item}" could not be read.`);
      Object.assign(merged, await parseHcl(path.basename(item), fs.readFileSync(item, "utf8")));
    }
  }
  if (type === "http")
    httpBackend(merged); // fails when no address is configured or in TF_HTTP_ADDRESS
  else if (type !== "local")
    throw new Fail(
      "Unsupported backend type",
      `The stand-in engine supports the "local" and "http" backends, not "${type}".`,
    );
  // Line layout as Terraform 1.11.4 prints it (no blank line before either "Initializing").
  say(`Initializing the backend...`, "initializing_backend_message");
  if (config.backend) {
    say(
      `\nSuccessfully configured the backend "${type}"! ${PRODUCT} will automatically\nuse this backend unless the backend configuration changes.`,
      "backend_configured_success",
    );
  }
  const dir = dataDir();
  fs.mkdirSync(dir, { recursive: true });
  const hash = createHash("sha256")
    .update(goJson(canonical({ type, merged })))
    .digest()
    .readUInt32BE(0);
  fs.writeFileSync(
    path.join(dir, "terraform.tfstate"),
    goJson(
      {
        version: 3,
        terraform_version: VERSION,
        serial: 1,
        lineage: randomUUID(),
        backend: { type, config: merged, hash },
      },
      2,
    ) + "\n",
  );
  say(`Initializing provider plugins...`, "initializing_provider_plugin_message");
  if ("terraform" in config.providers)
    say(`- ${BUILTIN_PROVIDER} is built in to ${PRODUCT}`, "built_in_provider_available");
  const providers = Object.entries(config.providers)
    .filter(([local]) => providerSource(local) !== BUILTIN_PROVIDER)
    .sort();
  let lock = `# This file is maintained automatically by "${BIN} init".\n# Manual edits may be lost in future updates.\n`;
  const locked = lockedHashes();
  for (const [local, constraint] of providers) {
    const source = `${REGISTRY}/hashicorp/${local}`;
    const binary = `terraform-provider-${local}_v${PROVIDER_VERSION}_x5`;
    const content = `#!/bin/sh\n# stand-in provider placeholder for ${source}\nexit 1\n`;
    const h = `h1:${createHash("sha256").update(content).digest("base64")}`;
    const pdir = path.join(dir, "providers", source, PROVIDER_VERSION, platform());
    const cache = process.env["TF_PLUGIN_CACHE_DIR"];
    const cached = cache && path.join(cache, source, PROVIDER_VERSION, platform());
    say(
      `- Finding hashicorp/${local} versions matching "${constraint ?? ">= 0.0.0"}"...`,
      "finding_matching_version_message",
    );
    // Since Terraform 1.4 (and in OpenTofu) a cache entry is used only when the lock file already
    // holds its checksum, unless TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE says otherwise
    // (hashicorp/terraform#32129; OT `cli/config/config-file.mdx` §Provider Plugin Cache).
    const trusted =
      locked.get(`${source}@${PROVIDER_VERSION}`)?.includes(h) ||
      Boolean(process.env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"]);
    const hit =
      cached &&
      trusted &&
      fs.existsSync(path.join(cached, binary)) &&
      fs.readFileSync(path.join(cached, binary), "utf8") === content;
    if (hit) {
      say(
        `- Using hashicorp/${local} v${PROVIDER_VERSION} from the shared cache directory`,
        "using_provider_from_cache_dir_info",
      );
    } else {
      say(
        `- Installing hashicorp/${local} v${PROVIDER_VERSION}...\n- Installed hashicorp/${local} v${PROVIDER_VERSION} (signed, key ID 0C0AF313E5FD9F80)`,
        "provider_installed",
      );
      fs.mkdirSync(cached || pdir, { recursive: true });
      fs.writeFileSync(path.join(cached || pdir, binary), content, { mode: 0o755 });
    }
    // With a cache, the working directory's copy is a link into it, as the real installer makes.
    if (cached) {
      fs.mkdirSync(path.dirname(pdir), { recursive: true });
      fs.rmSync(pdir, { recursive: true, force: true });
      fs.symlinkSync(path.resolve(cached), pdir);
    }
    lock += `\nprovider "${source}" {\n  version     = "${PROVIDER_VERSION}"\n${constraint ? `  constraints = "${constraint}"\n` : ""}  hashes = [\n    "${h}",\n  ]\n}\n`;
  }
  if (providers.length > 0) {
    fs.writeFileSync(".terraform.lock.hcl", lock);
    say(
      `\n${PRODUCT} has created a lock file .terraform.lock.hcl to record the provider\nselections it made above. Include this file in your version control repository\nso that ${PRODUCT} can guarantee to make the same selections by default when\nyou run "${BIN} init" in the future.`,
      "lock_info",
    );
  }
  say(`\n${PRODUCT} has been successfully initialized!`, "output_init_success_message");
  // TF_IN_AUTOMATION drops the follow-up advice (CLI-CONTRACT.md §0; seen with Terraform 1.11.4).
  if (!process.env["TF_IN_AUTOMATION"]) {
    say(
      `\nYou may now begin working with ${PRODUCT}. Try running "${BIN} plan" to see\nany changes that are required for your infrastructure. All ${PRODUCT} commands\nshould now work.\n\nIf you ever set or change modules or backend configuration for ${PRODUCT},\nrerun this command to reinitialize your working directory. If you forget, other\ncommands will detect it and remind you to do so if necessary.`,
      "output_init_success_cli_message",
    );
  }
  return 0;
}

const PLAN_FLAGS = /** @type {const} */ ({
  input: "bool",
  out: "string",
  json: "bool",
  "detailed-exitcode": "bool",
  destroy: "bool",
  target: "list",
  var: "list",
  "var-file": "list",
  "lock-timeout": "string",
  lock: "bool",
  "no-color": "bool",
  refresh: "bool",
  replace: "list",
  parallelism: "string",
  "compact-warnings": "bool",
  "refresh-only": "bool",
  state: "string",
  concise: "bool",
});

function hookResource(/** @type {{type: string, name: string, key: any}} */ c) {
  return resourceAddrObject(c.type, c.name, c.key);
}

/** The JSON stream's `planned_change` lines for a plan. */
function plannedChangeLines(/** @type {Change[]} */ changes) {
  return changes
    .filter((c) => c.action !== "noop")
    .map((c) => {
      const verb =
        { create: "create", update: "update", delete: "delete", replace: "replace" }[
          /** @type {"create"} */ (c.action)
        ] ?? c.action;
      return {
        message: `${c.addr}: Plan to ${verb}`,
        change: {
          resource: hookResource(c),
          action: c.action,
          ...(c.reason ? { reason: c.reason } : {}),
        },
      };
    });
}

function summaryCounts(/** @type {{action: string}[]} */ changes, /** @type {string} */ operation) {
  const add = changes.filter((c) => c.action === "create" || c.action === "replace").length;
  const change = changes.filter((c) => c.action === "update").length;
  const remove = changes.filter((c) => c.action === "delete" || c.action === "replace").length;
  /** @type {Record<string, unknown>} */
  const counts = { add, change, import: 0, remove };
  if (TOFU) counts["forget"] = 0;
  else counts["action_invocation"] = 0;
  counts["operation"] = operation;
  return counts;
}

/**
 * Plans, printing the stream. Returns the saved-plan object and the state it planned against,
 * or throws Fail.
 * @param {Record<string, any>} flags @param {Backend} backend @param {Config} config
 */
async function runPlan(flags, backend, config) {
  const vars = await resolveVariables(
    config,
    ".",
    { var: flags["var"] ?? [], "var-file": flags["var-file"] ?? [] },
    (flags["__order"] ?? []).filter((/** @type {string} */ k) => k === "var" || k === "var-file"),
  );
  const state = await backend.read();
  standinPrint();
  const delay = delayMs();
  for (const i of [...stateInstances(state).values()].sort(compareInstances)) {
    const id = String(i.attributes["id"] ?? "");
    if (session.json)
      emit("refresh_start", `${i.addr}: Refreshing state... [id=${id}]`, {
        hook: { resource: hookResource(i), id_key: "id", id_value: id },
      });
    if (session.json)
      emit("refresh_complete", `${i.addr}: Refresh complete [id=${id}]`, {
        hook: { resource: hookResource(i), id_key: "id", id_value: id },
      });
  }
  const destroy = Boolean(flags["destroy"]);
  /** @type {ReturnType<typeof planChanges>} */
  let p;
  try {
    p = planChanges(config, vars, state, {
      destroy,
      targets: flags["target"] ?? [],
      replace: flags["replace"] ?? [],
    });
  } catch (error) {
    if (error instanceof Fail) error.extra.partial = true;
    throw error;
  }
  const { doc, hasChanges } = buildJsonPlan(config, vars, state, p, destroy);
  const lines = plannedChangeLines(p.changes);
  const summary = summaryCounts(p.changes, "plan");
  // STANDIN_DELAY_MS: each resource instance takes that long to plan; its line streams after it.
  for (const c of p.changes) {
    if (delay) await sleep(delay);
    const line = lines.find((l) => l.change.resource.addr === c.addr);
    if (line && session.json) emit("planned_change", line.message, { change: line.change });
  }
  if (session.json) {
    emit(
      "change_summary",
      `Plan: ${summary["add"]} to add, ${summary["change"]} to change, ${summary["remove"]} to destroy.`,
      { changes: summary },
    );
    if (Object.keys(config.outputs).length > 0 && p.outputChanges.length > 0) {
      /** @type {Record<string, unknown>} */
      const outs = {};
      for (const o of p.outputChanges)
        outs[o.name] = {
          sensitive: o.sensitive || o.beforeSensitive,
          action: o.actions[0] === "no-op" ? "noop" : o.actions[0],
        };
      emit("outputs", `Outputs: ${p.outputChanges.length}`, { outputs: outs });
    }
  }
  /** @type {Record<string, unknown>} */
  const vars4file = Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, { value: plain(v), sensitive: v instanceof Sens }]),
  );
  const saved = {
    standin_plan: 1,
    flavour: FLAVOUR,
    version: VERSION,
    errored: false,
    destroy,
    prior: { lineage: state?.lineage ?? "", serial: state?.serial ?? 0 },
    plan: doc,
    has_changes: hasChanges,
    planned_changes: lines,
    summary,
    steps: applySteps(p, state),
    outputs: p.outputChanges.map((o) => ({
      name: o.name,
      action: o.actions[0],
      sensitive: o.sensitive,
      expr: o.expr,
    })),
    vars: vars4file,
    locals: config.locals,
    each_mode: p.eachMode,
    deps: p.deps,
    types: config.resources.map((r) => r.type),
  };
  if (flags["target"]?.length > 0) {
    const detail = `The -target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when ${PRODUCT} specifically suggests to use it as part of an error message.`;
    if (session.json)
      emitDiagnostic(
        "warning",
        "Resource targeting is in effect",
        `You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\n${detail}`,
      );
    else
      printDiagnostic(
        "warning",
        "Resource targeting is in effect",
        `You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\n${detail}`,
        null,
      );
  }
  return { saved, state };
}

/** The order in which apply works through a plan: deletes (dependents first), then the rest. */
function applySteps(
  /** @type {ReturnType<typeof planChanges>} */ p,
  /** @type {StateV4|null} */ state,
) {
  const prior = stateInstances(state);
  const deletes = p.changes.filter((c) => c.action === "delete");
  // A dependent (whose state lists the other as a dependency) is destroyed first.
  deletes.sort((a, b) => {
    const aDeps = prior.get(a.addr)?.dependencies ?? [];
    const bDeps = prior.get(b.addr)?.dependencies ?? [];
    if (aDeps.includes(b.id)) return -1;
    if (bDeps.includes(a.id)) return 1;
    return -compareInstances(a, b);
  });
  const rank = new Map(p.order.map((id, i) => [id, i]));
  const rest = p.changes.filter((c) => c.action !== "delete" && c.action !== "noop");
  rest.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0) || compareInstances(a, b));
  return [...deletes, ...rest].map((c) => ({
    addr: c.addr,
    id: c.id,
    type: c.type,
    name: c.name,
    key: c.key,
    action: c.action,
    ...(c.body ? { body: c.body } : {}),
    ...(c.count !== undefined ? { count: c.count } : {}),
    ...(c.each ? { each: c.each } : {}),
  }));
}

async function cmdPlan(/** @type {string[]} */ args) {
  const { flags, rest } = parseFlags(args, PLAN_FLAGS);
  if (flags["json"]) startJson();
  if (rest.length > 0)
    throw new Fail(
      "Too many command line arguments",
      "To specify a working directory for the plan, use the global -chdir flag.",
    );
  const config = await loadConfig(".");
  if (isHostile()) addHostileOutputs(config);
  const backend = openBackend(ensureInit(config));
  return withLock(backend, "OperationTypePlan", flags, async () => {
    /** @type {any} */
    let saved;
    try {
      saved = (await runPlan(flags, backend, config)).saved;
    } catch (error) {
      // Like the real tools, a plan that fails while planning still leaves an errored plan file.
      if (flags["out"] && error instanceof Fail && error.extra.partial === true) {
        const doc = {
          format_version: "1.2",
          terraform_version: VERSION,
          planned_values: {},
          configuration: configurationJson(config),
          timestamp: utcSeconds(),
          errored: true,
        };
        fs.writeFileSync(
          flags["out"],
          goJson({
            standin_plan: 1,
            flavour: FLAVOUR,
            version: VERSION,
            errored: true,
            prior: { lineage: "", serial: 0 },
            plan: doc,
          }) + "\n",
        );
      }
      throw error;
    }
    if (flags["out"]) fs.writeFileSync(flags["out"], goJson(saved) + "\n");
    if (!session.json) {
      out(humanPlan(saved));
      if (flags["out"])
        out(
          `\nSaved the plan to: ${flags["out"]}\n\nTo perform exactly these actions, run the following command to apply:\n    ${BIN} apply "${flags["out"]}"\n`,
        );
    }
    return flags["detailed-exitcode"] && saved.has_changes ? 2 : 0;
  });
}

/**
 * Runs fn holding the state lock (unless -lock=false); an unlock failure is reported only when
 * fn itself succeeded.
 * @template T @param {Backend} backend @param {string} op @param {Record<string, any>} flags @param {() => Promise<T>} fn
 */
async function withLock(backend, op, flags, fn) {
  if (flags["lock"] !== false) await backend.lock(op, lockTimeoutMs(flags));
  let ok = false;
  try {
    const result = await fn();
    ok = true;
    return result;
  } finally {
    if (ok) await backend.unlock();
    else await backend.unlock().catch(() => undefined);
  }
}

/** Loads a plan file written by `plan -out`. */
function readPlanFile(/** @type {string} */ file) {
  if (!fs.existsSync(file)) {
    throw new Fail("Failed to load the given plan file", `The plan file ${file} does not exist.`);
  }
  /** @type {any} */
  let saved;
  try {
    saved = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    saved = null;
  }
  if (!saved || saved.standin_plan !== 1) {
    throw new Fail(
      "Failed to read the given file as a state or plan file",
      `The given file ${file} is not a plan file made by this engine.`,
    );
  }
  if (saved.flavour !== FLAVOUR) {
    throw new Fail(
      "Failed to load the given plan file",
      `The plan file was created by ${saved.flavour === "opentofu" ? "OpenTofu" : "Terraform"} ${saved.version}, which is not this program.`,
    );
  }
  return saved;
}

/** §4: the plan's prior state must still be the current one. */
function checkStale(/** @type {any} */ saved, /** @type {StateV4|null} */ state) {
  const priorLineage = saved.prior?.lineage ?? "";
  const priorSerial = saved.prior?.serial ?? 0;
  const currentLineage = state?.lineage ?? "";
  const currentSerial = state?.serial ?? 0;
  const firstPlan = priorLineage === "" && priorSerial === 0;
  if (!firstPlan && priorLineage !== currentLineage) {
    throw new Fail(
      "Saved plan does not match the given state",
      "The given plan file can not be applied because it was created from a different state lineage.",
    );
  }
  if (priorSerial !== currentSerial) {
    throw new Fail(
      "Saved plan is stale",
      "The given plan file can no longer be applied because the state was changed by another operation after the plan was created.",
    );
  }
}

/** Applies a saved plan against state; writes state; prints the hooks. Returns the exit code. */
async function runApply(
  /** @type {any} */ saved,
  /** @type {Backend} */ backend,
  /** @type {StateV4|null} */ state,
) {
  for (const line of saved.planned_changes ?? [])
    if (session.json) emit("planned_change", line.message, { change: line.change });
  standinPrint();
  const current = stateInstances(state);
  /** @type {Record<string, "single"|"list"|"map">} */
  const eachMode = { ...(saved.each_mode ?? {}) };
  for (const r of state?.resources ?? []) {
    const id = `${r.type}.${r.name}`;
    eachMode[id] ??= r.each ?? "single";
  }
  const types = new Set([...(saved.types ?? []), ...[...current.values()].map((i) => i.type)]);
  const vars = Object.fromEntries(
    Object.entries(saved.vars ?? {}).map(([k, v]) => [
      k,
      sensitiveWrap(/** @type {any} */ (v).value, /** @type {any} */ (v).sensitive),
    ]),
  );
  /** @type {Ctx} */
  const ctx = {
    vars,
    locals: saved.locals ?? {},
    isResourceType: (t) => types.has(t) || t.includes("_"),
    resource: (type, name) => {
      const id = `${type}.${name}`;
      const list = [...current.values()]
        .filter((i) => i.type === type && i.name === name)
        .sort(compareInstances);
      const mode = eachMode[id] ?? "single";
      if (mode === "list") return list.map(instanceValue);
      if (mode === "map")
        return Object.fromEntries(list.map((i) => [String(i.key), instanceValue(i)]));
      const one = list[0];
      if (!one)
        throw new Fail(
          "Reference to undeclared resource",
          `A managed resource "${type}" "${name}" has no object in the state.`,
        );
      return instanceValue(one);
    },
  };
  const failAddr = process.env["STANDIN_FAIL_RESOURCE"] ?? "";
  const delay = delayMs();
  /** @type {Fail[]} */
  const errors = [];
  const failedIds = new Set();
  const done = [];
  /** @type {Record<string, string[]>} */
  const deps = saved.deps ?? {};

  /** One create/update/delete with its hooks; returns false when it failed. */
  const hookRun = async (
    /** @type {any} */ step,
    /** @type {"create"|"update"|"delete"} */ action,
    /** @type {() => void} */ work,
  ) => {
    const resource = hookResource(step);
    const old = current.get(step.addr);
    const oldId = old ? String(old.attributes["id"] ?? "") : "";
    const t0 = Date.now();
    const secs = () => Math.floor((Date.now() - t0) / 1000);
    const startMsg = {
      create: `${step.addr}: Creating...`,
      update: `${step.addr}: Modifying... [id=${oldId}]`,
      delete: `${step.addr}: Destroying... [id=${oldId}]`,
    }[action];
    if (session.json)
      emit("apply_start", startMsg, {
        hook: {
          resource,
          action,
          ...(action !== "create" ? { id_key: "id", id_value: oldId } : {}),
        },
      });
    if (delay) await sleep(delay / 2);
    const still = {
      create: "Still creating...",
      update: "Still modifying...",
      delete: "Still destroying...",
    }[action];
    // The real engines report progress only while a resource takes time (every 10 s); an instant
    // one goes from apply_start to apply_complete (seen with Terraform 1.11.4).
    if (session.json && delay)
      emit("apply_progress", `${step.addr}: ${still} [${secs()}s elapsed]`, {
        hook: { resource, action, elapsed_seconds: secs() },
      });
    if (delay) await sleep(delay - delay / 2);
    if (step.addr === failAddr) {
      const what = { create: "Creation", update: "Modifications", delete: "Destruction" }[action];
      if (session.json)
        emit("apply_errored", `${step.addr}: ${what} errored after ${secs()}s`, {
          hook: { resource, action, elapsed_seconds: secs() },
        });
      errors.push(
        new Fail(
          "Stand-in resource failure",
          `STANDIN_FAIL_RESOURCE made the ${action} of ${step.addr} fail.`,
          { address: step.addr },
        ),
      );
      failedIds.add(step.id);
      return false;
    }
    try {
      work();
    } catch (error) {
      if (session.json)
        emit("apply_errored", `${step.addr}: errored after ${secs()}s`, {
          hook: { resource, action, elapsed_seconds: secs() },
        });
      errors.push(error instanceof Fail ? error : new Fail(String(error)));
      failedIds.add(step.id);
      return false;
    }
    const newId = String(current.get(step.addr)?.attributes["id"] ?? "");
    const completeMsg = {
      create: `${step.addr}: Creation complete after ${secs()}s [id=${newId}]`,
      update: `${step.addr}: Modifications complete after ${secs()}s [id=${newId}]`,
      delete: `${step.addr}: Destruction complete after ${secs()}s`,
    }[action];
    if (session.json)
      emit("apply_complete", completeMsg, {
        hook: {
          resource,
          action,
          ...(action !== "delete" ? { id_key: "id", id_value: newId } : {}),
          elapsed_seconds: secs(),
        },
      });
    return true;
  };

  const write = (/** @type {any} */ step, /** @type {string} */ id) => {
    /** @type {Ctx} */
    const ictx = {
      ...ctx,
      ...(step.count !== undefined ? { count: step.count } : {}),
      ...(step.each ? { each: step.each } : {}),
    };
    const attrs = conformToSchema(step.type, evalValue(step.body ?? {}, ictx));
    const value = sortMarked({
      ...attrs,
      ...(step.type === "terraform_data" ? { output: attrs.input } : {}),
      id,
    });
    if (!isKnown(value))
      throw new Fail(
        "Provider produced inconsistent final plan",
        `The stand-in could not resolve every value of ${step.addr}.`,
      );
    current.set(step.addr, {
      addr: step.addr,
      type: step.type,
      name: step.name,
      key: step.key,
      attributes: plain(value),
      sensitive_attributes: sensitivePaths(value),
      dependencies: [...(deps[step.id] ?? [])].sort(),
    });
  };

  for (const step of saved.steps ?? []) {
    if ((deps[step.id] ?? []).some((d) => failedIds.has(d))) continue;
    if (step.action === "delete") {
      if (await hookRun(step, "delete", () => current.delete(step.addr))) done.push(step);
    } else if (step.action === "replace") {
      if (!(await hookRun(step, "delete", () => current.delete(step.addr)))) continue;
      if (await hookRun(step, "create", () => write(step, newResourceId(step.type))))
        done.push(step);
    } else if (step.action === "create") {
      if (await hookRun(step, "create", () => write(step, newResourceId(step.type))))
        done.push(step);
    } else if (step.action === "update") {
      const keep = String(current.get(step.addr)?.attributes["id"] ?? newResourceId(step.type));
      if (await hookRun(step, "update", () => write(step, keep))) done.push(step);
    }
  }

  /** @type {Record<string, any>} */
  const outputs = saved.destroy ? {} : { ...(state?.outputs ?? {}) };
  for (const o of saved.outputs ?? []) {
    if (o.action === "delete") {
      delete outputs[o.name];
      continue;
    }
    try {
      const value = evalValue(o.expr, ctx);
      if (!isKnown(value)) continue;
      outputs[o.name] = {
        value: plain(value),
        type: typeOf(value),
        ...(o.sensitive ? { sensitive: true } : {}),
      };
    } catch (error) {
      if (errors.length === 0) errors.push(error instanceof Fail ? error : new Fail(String(error)));
    }
  }
  const sortedOutputs = Object.fromEntries(
    Object.keys(outputs)
      .sort()
      .map((k) => [k, outputs[k]]),
  );
  const resources = stateResources(current.values(), eachMode);
  const changed =
    !state ||
    !deepEqual(resources, state.resources ?? []) ||
    !deepEqual(sortedOutputs, state.outputs ?? {});
  if (changed) {
    await backend.write({
      version: 4,
      terraform_version: VERSION,
      serial: (state?.serial ?? 0) + 1,
      lineage: state?.lineage || randomUUID(),
      outputs: sortedOutputs,
      resources,
      check_results: null,
    });
  }
  if (errors.length > 0) throw errors;
  // `apply PLANFILE` reports "apply" even for a destroy plan: the view is chosen from the command
  // line (-destroy), not from the plan file.
  const counts = summaryCounts(done, "apply");
  const message = `Apply complete! Resources: ${counts["add"]} added, ${counts["change"]} changed, ${counts["remove"]} destroyed.`;
  if (session.json) {
    emit("change_summary", message, { changes: counts });
    const names = Object.keys(sortedOutputs);
    if (names.length > 0 || (saved.outputs ?? []).length > 0) {
      /** @type {Record<string, unknown>} */
      const outs = {};
      for (const n of names) {
        const o = sortedOutputs[n];
        outs[n] = o.sensitive
          ? { sensitive: true, type: o.type }
          : { sensitive: false, type: o.type, value: o.value };
      }
      emit("outputs", `Outputs: ${names.length}`, { outputs: outs });
    }
  } else {
    out(`\n${message}\n`);
    const names = Object.keys(sortedOutputs);
    if (names.length > 0) {
      out("\nOutputs:\n\n");
      for (const n of names)
        out(
          `${n} = ${sortedOutputs[n].sensitive ? "<sensitive>" : JSON.stringify(sortedOutputs[n].value)}\n`,
        );
    }
  }
  return 0;
}

async function cmdApply(/** @type {string[]} */ args) {
  const { flags, rest } = parseFlags(args, {
    ...PLAN_FLAGS,
    "auto-approve": "bool",
    backup: "string",
    "state-out": "string",
  });
  if (flags["json"]) startJson();
  const planFile = rest[0];
  if (rest.length > 1)
    throw new Fail("Too many command line arguments", "Expected at most one positional argument.");
  if (!planFile && !flags["auto-approve"]) {
    throw new Fail(
      "Plan file or auto-approve required",
      `${PRODUCT} cannot ask for interactive approval when -json is set. You can either apply a saved plan file, or enable the -auto-approve option.`,
    );
  }
  if (planFile) {
    for (const f of ["target", "var", "var-file", "replace"]) {
      if (flags[f]?.length > 0)
        throw new Fail(
          "Can't set planning options when applying a saved plan",
          `The -${f} option cannot be used when applying a saved plan file, because the planning options were fixed when the plan was created.`,
        );
    }
    if (flags["destroy"])
      throw new Fail(
        "Can't set planning options when applying a saved plan",
        "The -destroy option cannot be used when applying a saved plan file, because the planning mode was fixed when the plan was created.",
      );
  }
  const config = await loadConfig(".");
  const saved0 = planFile ? readPlanFile(planFile) : null;
  if (saved0?.errored) {
    throw new Fail(
      "Cannot apply incomplete plan",
      `${PRODUCT} encountered an error when generating this plan, so it cannot be applied.`,
    );
  }
  const backend = openBackend(ensureInit(config));
  return withLock(backend, "OperationTypeApply", flags, async () => {
    if (!saved0) {
      // -auto-approve: plan first (its stream comes out as it goes), then apply that plan.
      const { saved, state } = await runPlan(flags, backend, config);
      return runApply({ ...saved, planned_changes: [] }, backend, state);
    }
    const state = await backend.read();
    checkStale(saved0, state);
    return runApply(saved0, backend, state);
  });
}

async function cmdShow(/** @type {string[]} */ args) {
  const { flags, rest } = parseFlags(args, {
    json: "bool",
    "no-color": "bool",
    plan: "string",
    state: "bool",
    config: "bool",
    "show-sensitive": "bool",
  });
  const file = flags["plan"] ?? rest[0];
  const config = await loadConfig(".");
  const backendConfig = ensureInit(config);
  if (flags["json"] && process.env["STANDIN_BAD_JSON"] === "show") {
    out('Warning: this is not JSON {"format_version": \n');
    return 0;
  }
  if (file) {
    const saved = readPlanFile(file);
    if (flags["json"]) out(goJson(saved.plan) + "\n");
    else out(saved.errored ? "\nThis plan is incomplete: planning failed.\n" : humanPlan(saved));
    return 0;
  }
  const state = await openBackend(backendConfig).read();
  if (flags["json"]) {
    out(goJson(jsonState(state)) + "\n");
    return 0;
  }
  if (
    !state ||
    ((state.resources ?? []).length === 0 && Object.keys(state.outputs ?? {}).length === 0)
  ) {
    out("No state.\n");
    return 0;
  }
  for (const i of [...stateInstances(state).values()].sort(compareInstances)) {
    out(`# ${i.addr}:\nresource "${i.type}" "${i.name}" {\n`);
    for (const [k, v] of Object.entries(canonical(i.attributes) ?? {}))
      out(`    ${k} = ${JSON.stringify(v)}\n`);
    out("}\n");
  }
  const outs = Object.entries(state.outputs ?? {});
  if (outs.length > 0) {
    out("\n\nOutputs:\n\n");
    for (const [k, o] of outs)
      out(`${k} = ${o.sensitive ? "(sensitive value)" : JSON.stringify(o.value)}\n`);
  }
  return 0;
}

/**
 * `state pull`: the backend's state as the engine writes it, then one more newline; with no state
 * yet, an empty one (serial 0, no lineage). Only `pull` of the `state` subcommands is here.
 */
async function cmdState(/** @type {string[]} */ args) {
  const [sub, ...rest] = args;
  if (sub !== "pull")
    throw new Fail(`The stand-in engine has no "state ${sub ?? ""}" command`, "Only state pull.");
  parseFlags(rest, {});
  const state = await openBackend(ensureInit(await loadConfig("."))).read();
  const empty = {
    version: 4,
    terraform_version: VERSION,
    serial: 0,
    lineage: "",
    outputs: {},
    resources: [],
    check_results: null,
  };
  out(goJson(state ?? empty, 2) + "\n\n");
  return 0;
}

/**
 * `workspace select [-or-create] NAME`, `workspace new NAME`, `workspace show`, `workspace list`
 * [OT `cli/commands/workspace/*.mdx`; `-or-create` since Terraform 1.4 and OpenTofu 1.6]. Only the
 * local backend keeps workspaces other than "default" (a directory per workspace under
 * `workspace_dir`); http has none (CLI-CONTRACT.md §7).
 */
async function cmdWorkspace(/** @type {string[]} */ args) {
  const [sub, ...rest] = args;
  const saved = ensureInit(await loadConfig("."));
  const config = saved.config ?? {};
  const root = path.resolve(String(config["workspace_dir"] ?? "terraform.tfstate.d"));
  const existing = () =>
    saved.type === "local"
      ? [
          "default",
          ...(fs.existsSync(root)
            ? fs.readdirSync(root).filter((n) => fs.statSync(path.join(root, n)).isDirectory())
            : []),
        ].sort()
      : ["default"];
  const select = (/** @type {string} */ name) => {
    fs.mkdirSync(dataDir(), { recursive: true });
    fs.writeFileSync(path.join(dataDir(), "environment"), name);
  };
  const create = (/** @type {string} */ name) => {
    if (saved.type !== "local")
      throw new Fail("Failed to create new workspace", "workspaces not supported");
    // OpenTofu refuses names that would not survive as one URL path segment.
    if (encodeURIComponent(name) !== name || name === "")
      throw new Fail(`The workspace name "${name}" is not allowed.`);
    fs.mkdirSync(path.join(root, name), { recursive: true });
    select(name);
    out(
      `Created and switched to workspace "${name}"!\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run "${BIN} plan" ${PRODUCT} will not see any existing state\nfor this configuration.\n`,
    );
  };
  if (sub === "show") {
    out(`${currentWorkspace()}\n`);
    return 0;
  }
  if (sub === "list") {
    const current = currentWorkspace();
    for (const name of existing()) out(`${name === current ? "*" : " "} ${name}\n`);
    return 0;
  }
  if (sub === "new") {
    const { rest: names } = parseFlags(rest, {
      lock: "bool",
      "lock-timeout": "string",
      state: "string",
    });
    const name = names[0] ?? "";
    if (existing().includes(name)) throw new Fail(`Workspace "${name}" already exists`);
    create(name);
    return 0;
  }
  if (sub === "select") {
    const { flags, rest: names } = parseFlags(rest, { "or-create": "bool" });
    const name = names[0] ?? "";
    if (existing().includes(name)) {
      select(name);
      out(`Switched to workspace "${name}".\n`);
      return 0;
    }
    if (!flags["or-create"])
      throw new Fail(
        `Workspace "${name}" doesn't exist.`,
        `You can create this workspace with the "new" subcommand\nor include the "-or-create" flag with the "select" subcommand.`,
      );
    create(name);
    return 0;
  }
  throw new Fail(
    `The stand-in engine has no "workspace ${sub ?? ""}" command`,
    "Only workspace select, new, show and list.",
  );
}

async function cmdOutput(/** @type {string[]} */ args) {
  const { flags, rest } = parseFlags(args, {
    json: "bool",
    "no-color": "bool",
    raw: "bool",
    state: "string",
    "show-sensitive": "bool",
  });
  const name = rest[0];
  const config = await loadConfig(".");
  const state = flags["state"]
    ? await localBackend(flags["state"]).read()
    : await openBackend(ensureInit(config)).read();
  const outputs = state?.outputs ?? {};
  if (name !== undefined) {
    const o = outputs[name];
    if (!o) {
      throw new Fail(
        `Output "${name}" not found`,
        `The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run \`${BIN} apply\`, since the state won't be updated with new output variables until that command is run.`,
      );
    }
    if (flags["json"]) out(goJson(o.value) + "\n");
    else if (flags["raw"]) {
      if (o.value !== null && typeof o.value === "object")
        throw new Fail(
          "Unsupported value for raw output",
          `The -raw option only supports strings, numbers, and boolean values, but output value "${name}" is ${Array.isArray(o.value) ? "a tuple" : "an object"}.`,
        );
      out(String(o.value));
    } else out(`${JSON.stringify(o.value, null, 2)}\n`);
    return 0;
  }
  if (flags["json"]) {
    const doc = Object.fromEntries(
      Object.keys(outputs)
        .sort()
        .map((k) => [
          k,
          {
            sensitive: Boolean(outputs[k].sensitive),
            type: outputs[k].type ?? typeOf(outputs[k].value),
            value: outputs[k].value,
          },
        ]),
    );
    out(goJson(doc, 2) + "\n");
    return 0;
  }
  if (Object.keys(outputs).length === 0) {
    printDiagnostic(
      "warning",
      "No outputs found",
      `The state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the \`output\` keyword and run \`${BIN} refresh\` for it to become available. If you are using interpolation, please verify the interpolated value is not empty. You can use the \`${BIN} console\` command to assist.`,
      null,
    );
    return 0;
  }
  for (const k of Object.keys(outputs).sort())
    out(`${k} = ${outputs[k].sensitive ? "<sensitive>" : JSON.stringify(outputs[k].value)}\n`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Knobs and main

/** What this invocation was started with: its arguments, env names and cloud identities. */
function invocationRecord() {
  return {
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    flavour: FLAVOUR,
    env: Object.keys(process.env).sort(),
    ...cloudIdentities(),
  };
}

function logInvocation() {
  const file = process.env["STANDIN_LOG"];
  if (!file) return;
  fs.appendFileSync(file, JSON.stringify(invocationRecord()) + "\n");
}

/** Reports the invocation over HTTP; a report that fails fails the invocation, loudly. */
async function reportInvocation() {
  const url = process.env["STANDIN_REPORT_URL"];
  if (!url) return;
  const response = await globalThis.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(invocationRecord()),
  });
  if (!response.ok) throw new Error(`STANDIN_REPORT_URL answered ${response.status}`);
}

/** The file contents a provider would read for each cloud's web identity, as the engine received them. */
function cloudIdentities() {
  const env = process.env;
  /** @type {Record<string, unknown>} */
  const found = {};
  const awsToken = env["AWS_WEB_IDENTITY_TOKEN_FILE"];
  if (awsToken) {
    found.aws = {
      roleArn: env["AWS_ROLE_ARN"],
      sessionName: env["AWS_ROLE_SESSION_NAME"],
      tokenFile: awsToken,
      token: fs.readFileSync(awsToken, "utf8"),
    };
  }
  const azureToken = env["ARM_OIDC_TOKEN_FILE_PATH"];
  if (azureToken) {
    found.azure = {
      useOidc: env["ARM_USE_OIDC"],
      clientId: env["ARM_CLIENT_ID"],
      tenantId: env["ARM_TENANT_ID"],
      subscriptionId: env["ARM_SUBSCRIPTION_ID"],
      tokenFile: azureToken,
      token: fs.readFileSync(azureToken, "utf8"),
    };
  }
  const gcpCredentials = env["GOOGLE_APPLICATION_CREDENTIALS"];
  if (gcpCredentials) {
    const credentials = JSON.parse(fs.readFileSync(gcpCredentials, "utf8"));
    found.gcp = {
      credentialsFile: gcpCredentials,
      credentials,
      token: fs.readFileSync(credentials.credential_source.file, "utf8"),
    };
  }
  return found;
}

/** STANDIN_ECHO_IDENTITY: every token and credential file handed to the engine, printed. */
function echoIdentity() {
  if (process.env["STANDIN_ECHO_IDENTITY"] !== "1") return;
  const files = [
    process.env["AWS_WEB_IDENTITY_TOKEN_FILE"],
    process.env["ARM_OIDC_TOKEN_FILE_PATH"],
    process.env["GOOGLE_APPLICATION_CREDENTIALS"],
  ].filter((file) => file !== undefined && file !== "");
  for (const file of files) {
    const text = `debug: read ${file}: ${fs.readFileSync(/** @type {string} */ (file), "utf8")}`;
    if (session.json) emit("log", text);
    else out(`${text}\n`);
    err(`${text}\n`);
  }
}

function crash(/** @type {string} */ command) {
  const banner = TOFU ? "OPENTOFU CRASH" : "TERRAFORM CRASH";
  const repo = TOFU ? "github.com/opentofu/opentofu" : "github.com/hashicorp/terraform";
  const title = command.charAt(0).toUpperCase() + command.slice(1);
  err(
    `\n!!!!!!!!!!!!!!!!!!!!!!!!!!! ${banner} !!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n` +
      `${PRODUCT} crashed! This is always indicative of a bug within ${PRODUCT}.\n` +
      `Please report the crash with ${PRODUCT}[1] so that we can fix this.\n\n` +
      `When reporting bugs, please include your ${PRODUCT} version, the stack trace\nshown below, and any additional information which may help replicate the issue.\n\n` +
      `[1]: https://${repo}/issues\n\n!!!!!!!!!!!!!!!!!!!!!!!!!!! ${banner} !!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n` +
      `panic: runtime error: invalid memory address or nil pointer dereference\n` +
      `[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1c5a2f4]\n\n` +
      `goroutine 1 [running]:\n${repo}/internal/command.(*${title}Command).Run(0xc000a1e000, {0xc00019a0a0, 0x4, 0x4})\n` +
      `\t/home/runner/work/internal/command/${command}.go:118 +0x2f4\n` +
      `github.com/mitchellh/cli.(*CLI).Run(0xc0001c4000)\n\t/home/runner/go/pkg/mod/github.com/mitchellh/cli@v1.1.5/cli.go:262 +0x5b8\n` +
      `main.realMain()\n\t/home/runner/work/cmd/${BIN}/main.go:330 +0x1f0d\nmain.main()\n\t/home/runner/work/cmd/${BIN}/main.go:62 +0x13\n`,
  );
  return 11;
}

function usage() {
  return `Usage: ${BIN} [global options] <subcommand> [args]\n\nThe available commands for execution are listed below.\n\nMain commands:\n  init          Prepare your working directory for other commands\n  plan          Show changes required by the current configuration\n  apply         Create or update infrastructure\n\nAll other commands:\n  output        Show output values from your root module\n  show          Show the current state or a saved plan\n  version       Show the current ${PRODUCT} version\n\nGlobal options (use these before the subcommand, if any):\n  -chdir=DIR    Switch to a different working directory before executing the\n                given subcommand.\n  -help         Show this help output, or the help for a specified subcommand.\n  -version      An alias for the "version" subcommand.\n`;
}

/** @param {string[]} argv */
async function main(argv) {
  // A reader that goes away (`| head`) ends the program quietly, as SIGPIPE ends a Go program.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => process.exit(1));
  logInvocation();
  await reportInvocation();
  if (process.env["STANDIN_IGNORE_TERM"] === "1") {
    process.on("SIGTERM", () => {});
    const child = spawn("sleep", ["600"], { stdio: ["ignore", "inherit", "inherit"] });
    child.unref();
  }
  const args = [...argv];
  let chdir;
  while (args.length > 0 && (args[0] ?? "").startsWith("-")) {
    const a = /** @type {string} */ (args.shift());
    if (a.startsWith("-chdir=") || a.startsWith("--chdir=")) chdir = a.slice(a.indexOf("=") + 1);
    else if (a === "-chdir" || a === "--chdir") chdir = args.shift();
    else if (a === "-version" || a === "--version" || a === "-v") args.unshift("version");
    else if (a === "-help" || a === "--help" || a === "-h") {
      out(usage());
      return 0;
    } else {
      err(`Error: unknown global option ${a}\n`);
      return 1;
    }
    if (args[0] === "version") break;
  }
  const command = args.shift();
  if (!command) {
    err(usage());
    return 127;
  }
  for (const name of ["TF_CLI_ARGS", `TF_CLI_ARGS_${command.replace(/-/g, "_")}`]) {
    const extra = process.env[name];
    if (extra) args.unshift(...shellSplit(extra));
  }
  if (chdir !== undefined) {
    try {
      process.chdir(chdir);
    } catch (error) {
      err(
        `Error handling -chdir option: chdir ${chdir}: ${/** @type {NodeJS.ErrnoException} */ (error).code === "ENOENT" ? "no such file or directory" : String(error)}\n`,
      );
      return 1;
    }
  }
  const inputEnv = process.env["TF_INPUT"];
  if ((inputEnv === "0" || inputEnv === "false") && ["init", "plan", "apply"].includes(command))
    args.unshift("-input=false");
  if (process.env["STANDIN_CRASH"] === command) return crash(command);
  const commands = /** @type {Record<string, (a: string[]) => Promise<number>>} */ ({
    version: cmdVersion,
    init: cmdInit,
    plan: cmdPlan,
    apply: cmdApply,
    show: cmdShow,
    output: cmdOutput,
    state: cmdState,
    workspace: cmdWorkspace,
  });
  const run = commands[command];
  if (!run) {
    err(
      `${PRODUCT} has no command named "${command}".\n\nTo see all of ${PRODUCT}'s top-level commands, run:\n  ${BIN} -help\n\n`,
    );
    return 1;
  }
  if (["plan", "apply"].includes(command) && args.some((a) => /^--?json(=true|=1|=t)?$/.test(a)))
    startJson();
  try {
    return await run(args);
  } catch (error) {
    const failures = Array.isArray(error) ? error : [error];
    for (const f of failures) {
      const fail = f instanceof Fail ? f : new Fail(f instanceof Error ? f.message : String(f));
      if (session.json) emitDiagnostic("error", fail.summary, fail.detail, fail.extra);
      else printDiagnostic("error", fail.summary, fail.detail, fail.extra.range);
    }
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// Exit explicitly once stdout and stderr are flushed: the WebAssembly HCL parser leaves timers
// behind that would otherwise keep the process alive for a second or so.
await Promise.all([
  new Promise((r) => process.stdout.write("", r)),
  new Promise((r) => process.stderr.write("", r)),
]);
process.exit(code);

function isHostile() {
  return fs
    .readdirSync(".")
    .filter((f) => f.endsWith(".tf"))
    .some((f) => fs.readFileSync(f, "utf8").includes("standin:hostile"));
}

/** Hostile mode (see the header): what could be read, as two literal outputs. */
function addHostileOutputs(/** @type {any} */ config) {
  /** @type {[string, string][]} */
  const findings = [];
  /** @type {string[]} */
  const paths = [];
  const read = (/** @type {string} */ file, max = 65_536) => {
    try {
      const fd = fs.openSync(file, "r");
      try {
        const buffer = Buffer.alloc(max);
        return buffer.subarray(0, fs.readSync(fd, buffer, 0, max, 0)).toString("latin1");
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return undefined;
    }
  };
  const list = (/** @type {string} */ dir) => {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  };
  const ancestors = [];
  for (let pid = "self"; ancestors.length < 12;) {
    const stat = read(`/proc/${pid}/stat`);
    const ppid = stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
    if (!ppid || ppid === "0") break;
    ancestors.push(ppid);
    pid = ppid;
  }
  const environments = (/** @type {string[]} */ pids) => {
    for (const pid of pids) {
      const environ = read(`/proc/${pid}/environ`);
      if (!environ) continue;
      paths.push(`/proc/${pid}/environ`);
      for (const entry of environ.split("\0").filter(Boolean))
        findings.push([`/proc/${pid}/environ`, entry]);
    }
  };
  // The most valuable first (outputs are cut): the ancestors (Bosun), its data, then the rest.
  environments(["self", ...ancestors]);
  const at = process.cwd().lastIndexOf("/workspaces/");
  if (at > 0) {
    const own = process.cwd().slice(0, process.cwd().indexOf("/", at + "/workspaces/".length));
    const walk = (/** @type {string} */ dir, /** @type {number} */ depth) => {
      for (const name of list(dir)) {
        const file = path.join(dir, name);
        if (file === own || paths.length > 400) continue;
        let stat;
        try {
          stat = fs.lstatSync(file);
        } catch {
          continue;
        }
        if (stat.isDirectory()) {
          if (depth < 6) walk(file, depth + 1);
          continue;
        }
        if (!stat.isFile()) continue;
        const content = read(file, 4096);
        if (content === undefined) continue;
        paths.push(file);
        // The data directory's own files (its encryption key) go first: outputs are cut short.
        if (stat.size <= 4096) findings[depth === 0 ? "unshift" : "push"]([file, content]);
      }
    };
    walk(process.cwd().slice(0, at), 0);
  }
  environments(list("/proc").filter((n) => /^\d+$/.test(n) && !ancestors.includes(n)));
  const transform = (/** @type {string} */ text) =>
    Buffer.from([...text].reverse().join(""), "latin1").toString("base64");
  // Both cut short, so that the plan still fits a check run and a comment.
  config.outputs["hostile_paths"] = {
    value: paths.join(" ").slice(0, 4000),
    sensitive: false,
    file: "hostile",
  };
  config.outputs["hostile_findings"] = {
    value: findings
      .map(([label, content]) => transform(`${label}=${content}`))
      .join(",")
      .slice(0, 16_000),
    sensitive: false,
    file: "hostile",
  };
}
