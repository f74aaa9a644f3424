import { createHash } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { assertNever } from "../lib/assert-never.js";
import type { StateCredentialRecord } from "../services/state-port.js";
import { acquireStateLock } from "./acquire-state-lock.js";
import { authenticateStateRequest } from "./authenticate-state-request.js";
import type { ManagedStateDeps } from "./managed-state-deps.js";
import { readState } from "./read-state.js";
import { releaseStateLock } from "./release-state-lock.js";
import type { StateRefusal } from "./state-refusal.js";
import { MAX_STATE_BYTES, writeState } from "./write-state.js";

type StateEnv = { Variables: { credential: StateCredentialRecord } };

/** A LockInfo is a few hundred bytes; anything near this is not one. */
const MAX_LOCK_BYTES = 64 * 1024;
const ALLOW = "GET, POST, LOCK, UNLOCK";

/**
 * The engine's `http` state backend, one address per component: `/state/<componentId>`, mounted
 * beside the webhook route (CLI-CONTRACT.md §7). Every request needs the basic-auth credential
 * issued for that component's run; the credential decides the component and the run.
 */
export function stateRoutes(deps: ManagedStateDeps): Hono<StateEnv> {
  const maxStateBytes = deps.maxStateBytes ?? MAX_STATE_BYTES;
  const app = new Hono<StateEnv>();

  app.onError((error, c) => {
    deps.log.error(
      { err: error, componentId: c.get("credential")?.componentId, method: c.req.method },
      "state request failed",
    );
    return c.text("internal error\n", 500);
  });

  app.use("/:componentId", async (c, next) => {
    const auth = await authenticateStateRequest(deps, {
      authorization: c.req.header("authorization"),
      componentId: c.req.param("componentId"),
      method: c.req.method,
    });
    if (!auth.ok) {
      deps.log.warn(
        {
          componentId: c.req.param("componentId"),
          method: c.req.method,
          remoteAddress: remoteAddress(c),
          forwardedFor: c.req.header("x-forwarded-for"),
          credentialId: auth.credentialId,
          reason: auth.reason,
        },
        "state request refused",
      );
      if (auth.status === 403) return c.text(`${auth.reason}\n`, 403);
      // One answer for every 401, so that it does not tell which credential ids exist.
      c.header("WWW-Authenticate", 'Basic realm="bosun-state"');
      return c.text("a state credential issued by Bosun is required\n", 401);
    }
    c.set("credential", auth.credential);
    await next();
  });

  app.get("/:componentId", async (c) => {
    const state = await readState(deps, c.get("credential").componentId);
    if (!state) return c.body(null, 204);
    return c.body(new Uint8Array(state.body), 200, {
      "content-type": "application/json",
      // The engine checks it when present (OpenTofu remote-state/http/client.go).
      "content-md5": createHash("md5").update(state.body).digest("base64"),
    });
  });

  app.post(
    "/:componentId",
    bodyLimit({
      maxSize: maxStateBytes,
      onError: (c) => c.text(`the state is over the limit of ${maxStateBytes} bytes\n`, 413),
    }),
    async (c) => {
      const credential = c.get("credential");
      const body = Buffer.from(await c.req.arrayBuffer());
      const md5Problem = checkContentMd5(c.req.header("content-md5"), body);
      if (md5Problem) return c.text(`${md5Problem}\n`, 400);
      const result = await writeState(deps, {
        componentId: credential.componentId,
        body,
        lockId: c.req.query("ID") || undefined,
        runId: credential.runId,
      });
      if (result.kind === "refused") return refusal(c, result);
      return c.text(result.kind === "stored" ? "stored\n" : "unchanged\n", 200);
    },
  );

  app.on(
    "LOCK",
    "/:componentId",
    bodyLimit({ maxSize: MAX_LOCK_BYTES, onError: (c) => c.text("lock info too large\n", 413) }),
    async (c) => {
      const credential = c.get("credential");
      const result = await acquireStateLock(deps, {
        componentId: credential.componentId,
        body: Buffer.from(await c.req.arrayBuffer()),
        runId: credential.runId,
      });
      switch (result.kind) {
        case "acquired":
          return c.json(result.info, 200);
        case "held":
          // The holder's whole LockInfo: the engine retries (-lock-timeout) only when it carries an ID.
          return c.json(result.holder, 423);
        case "refused":
          return refusal(c, result);
        default:
          return assertNever(result, "lock result");
      }
    },
  );

  app.on(
    "UNLOCK",
    "/:componentId",
    bodyLimit({ maxSize: MAX_LOCK_BYTES, onError: (c) => c.text("lock info too large\n", 413) }),
    async (c) => {
      const credential = c.get("credential");
      const result = await releaseStateLock(deps, {
        componentId: credential.componentId,
        body: Buffer.from(await c.req.arrayBuffer()),
        runId: credential.runId,
      });
      switch (result.kind) {
        case "released":
        case "not-locked":
          return c.text(result.kind === "released" ? "unlocked\n" : "not locked\n", 200);
        case "held-by-another":
          return c.json(result.holder, 409);
        case "refused":
          return refusal(c, result);
        default:
          return assertNever(result, "unlock result");
      }
    },
  );

  // Deleting is refused: the engine sends DELETE only for `workspace delete`, which the http
  // backend does not support (default workspace only), and a component's state history is
  // append-only. Retiring a component is a `destroy` or `orphan` change, decided in a changeset.
  app.delete("/:componentId", (c) =>
    c.text(
      "deleting a component's state is not supported: state history is append-only; retire the component with a destroy or orphan change\n",
      405,
      { allow: ALLOW },
    ),
  );
  app.all("/:componentId", (c) =>
    c.text(`${c.req.method} is not part of the state protocol\n`, 405, { allow: ALLOW }),
  );
  app.all("*", (c) => c.text("not found\n", 404));
  return app;
}

function refusal(c: Context<StateEnv>, refused: StateRefusal): Response {
  return c.text(`${refused.message}\n`, refusalStatus(refused));
}

function refusalStatus(refused: StateRefusal): 400 | 409 | 413 | 423 {
  switch (refused.code) {
    case "too-large":
      return 413;
    case "not-json":
    case "not-state":
    case "bad-lock-info":
      return 400;
    case "locked":
      return 423;
    case "lock-mismatch":
    case "lock-not-held":
    case "lineage-changed":
    case "serial-went-backwards":
    case "serial-reused":
      return 409;
    default:
      return assertNever(refused.code, "state refusal");
  }
}

/** Undefined when the header is absent or matches; otherwise what is wrong with it. */
function checkContentMd5(header: string | undefined, body: Buffer): string | undefined {
  if (header === undefined) return undefined;
  const given = Buffer.from(header.trim(), "base64");
  if (given.length !== 16) return "Content-MD5 is not a base64 MD5 digest";
  const actual = createHash("md5").update(body).digest();
  return given.equals(actual)
    ? undefined
    : "Content-MD5 does not match the body: it was damaged on the way";
}

function remoteAddress(c: Context<StateEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // Requests made with app.request() in tests have no socket.
    return undefined;
  }
}
