import { createHash, createSecretKey, randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import path from "node:path";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/lib/logger.js";
import { SealError } from "../../../src/lib/seal.js";
import { acquireStateLock } from "../../../src/state/acquire-state-lock.js";
import { createManagedState } from "../../../src/state/create-managed-state.js";
import { exportStateCommand } from "../../../src/state/export-state-command.js";
import { importStateCommand } from "../../../src/state/import-state-command.js";
import type { ManagedStateDeps } from "../../../src/state/managed-state-deps.js";
import { readState } from "../../../src/state/read-state.js";
import { stateRoutes } from "../../../src/state/state-routes.js";
import { unlockStateCommand } from "../../../src/state/unlock-state-command.js";
import { writeState } from "../../../src/state/write-state.js";
import { createComponentDirectory } from "../../../src/store/component-directory.js";
import type { Database } from "../../../src/store/database.js";
import {
  revisions,
  stateCredentials,
  stateLocks,
  stateVersions,
} from "../../../src/store/schema/index.js";
import { createStateCredentialRepository } from "../../../src/store/state-credential-repository.js";
import { createStateRepository } from "../../../src/store/state-repository.js";
import { createHttpServer, listen } from "../../../src/web/http-server.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
  type ScratchDatabase,
} from "../../helpers/databases.js";
import { networkSpec, seedComponent, seedRun, SHA } from "../../helpers/seed.js";
import { lockInfo, stateClient, stateJson } from "../../helpers/state-client.js";

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger("debug", {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { log, lines };
}

describe.each(databaseKinds)("managed state storage on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let scratch: ScratchDatabase;
  let database: Database;
  let deps: ManagedStateDeps & { directory: ReturnType<typeof createComponentDirectory> };
  let lines: Record<string, unknown>[];
  let server: Server;
  let url: string;
  let stacks = 0;

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    ({ scratch, database } = opened);
    const captured = capturingLogger();
    lines = captured.lines;
    deps = {
      store: createStateRepository(database.db),
      credentials: createStateCredentialRepository(database.db),
      directory: createComponentDirectory(database.db),
      key: createSecretKey(randomBytes(32)),
      log: captured.log,
    };
    const routes = new Hono().route("/state", stateRoutes(deps));
    server = createHttpServer({
      webhookPath: "/api/github/webhooks",
      webhooks: async () => false,
      routes,
      log: captured.log,
    });
    url = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await opened?.close();
  });

  async function component() {
    stacks += 1;
    const stack = `stack-${stacks}`;
    const run = await seedRun(database.db, networkSpec({ stack, dir: `infra/${stack}` }));
    return { ...run, name: `acme/infra:${stack}@dev` };
  }

  it("keeps states, credentials and everything else sealed at rest", async () => {
    const { componentId, runId } = await component();
    const managed = createManagedState(deps);
    const credential = await managed.issueStateCredential({ componentId, runId });
    const secret = `db-password-${randomUUID()}`;
    const body = stateJson(1, "lineage-secret", { password: secret });
    const client = stateClient(`${url}/state/${componentId}`, credential);
    const lock = lockInfo("alice@ci");
    expect((await client.lock(lock)).status).toBe(200);
    expect((await client.post(body, lock.ID)).status).toBe(200);

    const forms = (text: string) => [
      Buffer.from(text),
      Buffer.from(Buffer.from(text).toString("hex")),
      Buffer.from(Buffer.from(text).toString("base64")),
    ];
    const rows = [
      ...(await database.db.select().from(stateVersions)),
      ...(await database.db.select().from(stateLocks)),
      ...(await database.db.select().from(stateCredentials)),
    ];
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      for (const value of Object.values(row)) {
        const raw = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value) ?? "");
        for (const form of [...forms(secret), ...forms(credential.password)]) {
          expect(raw.includes(form)).toBe(false);
        }
      }
    }
    const [stored] = await database.db.select().from(stateVersions);
    expect(stored!.sealedBody.includes(Buffer.from("lineage-secret"))).toBe(false);
    expect((await readState(deps, componentId))!.body.toString()).toBe(body);

    // Another key cannot open it.
    await expect(
      readState({ ...deps, key: createSecretKey(randomBytes(32)) }, componentId),
    ).rejects.toBeInstanceOf(SealError);
  });

  it("refuses to serve a sealed state moved to another component", async () => {
    const from = await component();
    const to = await component();
    await writeState(deps, {
      componentId: from.componentId,
      body: Buffer.from(stateJson(1, "l")),
      lockId: undefined,
      runId: undefined,
    });
    const [version] = await database.db
      .select()
      .from(stateVersions)
      .where(eq(stateVersions.componentId, from.componentId));
    await database.db
      .insert(stateVersions)
      .values({ ...version!, id: randomUUID(), componentId: to.componentId });
    await expect(readState(deps, to.componentId)).rejects.toMatchObject({ code: "tampered" });
  });

  it("keeps a version history with serials, digests and the writing run", async () => {
    const { componentId, runId } = await component();
    const bodies = [1, 2, 3].map((serial) =>
      stateJson(serial, "lineage-h", { serial: String(serial) }),
    );
    for (const body of bodies) {
      const result = await writeState(deps, {
        componentId,
        body: Buffer.from(body),
        lockId: undefined,
        runId,
      });
      expect(result.kind).toBe("stored");
    }
    const versions = await deps.store.versions(componentId);
    expect(versions.map((version) => version.serial)).toEqual([3, 2, 1]);
    expect(versions.map((version) => version.digest)).toEqual(
      [...bodies]
        .reverse()
        .map((body) => `sha256:${createHash("sha256").update(body).digest("hex")}`),
    );
    expect(versions.map((version) => version.size)).toEqual(
      [...bodies].reverse().map((body) => Buffer.byteLength(body)),
    );
    expect(
      versions.every((version) => version.runId === runId && version.lineage === "lineage-h"),
    ).toBe(true);
    expect(await createManagedState(deps).latestStateVersion(componentId)).toEqual(versions[0]);
    expect(
      lines.filter(
        (line) => line.msg === "state version stored" && line.componentId === componentId,
      ),
    ).toHaveLength(3);
  });

  it("prunes old versions but never the latest, nor one a revision points at", async () => {
    const { componentId, runId } = await component();
    for (const serial of [1, 2, 3, 4, 5]) {
      await writeState(deps, {
        componentId,
        body: Buffer.from(stateJson(serial, "lineage-p")),
        lockId: undefined,
        runId,
      });
    }
    const bySerial = new Map(
      (await deps.store.versions(componentId)).map((version) => [version.serial, version.id]),
    );
    await database.db.insert(revisions).values({
      componentId,
      runId,
      commitSha: SHA,
      planDigest: "sha256:plan",
      stateVersionId: bySerial.get(2)!,
      startedAt: new Date(),
    });
    const managed = createManagedState(deps);
    expect(await managed.pruneStateVersions(componentId, 3)).toBe(1);
    expect((await deps.store.versions(componentId)).map((version) => version.serial)).toEqual([
      5, 4, 3, 2,
    ]);
    expect(await managed.pruneStateVersions(componentId, 1)).toBe(2);
    expect((await deps.store.versions(componentId)).map((version) => version.serial)).toEqual([
      5, 2,
    ]);
    await expect(managed.pruneStateVersions(componentId, 0)).rejects.toMatchObject({
      code: "invalid-argument",
    });
    expect((await readState(deps, componentId))!.version.serial).toBe(5);
  });

  it("logs refused requests with the component and remote address, never the token", async () => {
    const { componentId, runId } = await component();
    const other = await component();
    const managed = createManagedState(deps);
    const credential = await managed.issueStateCredential({ componentId, runId });
    const address = `${url}/state/${componentId}`;
    const before = lines.length;

    expect((await stateClient(address, undefined).get()).status).toBe(401);
    expect(
      (await stateClient(address, { ...credential, password: "guess-123" }).get()).status,
    ).toBe(401);
    const otherCredential = await managed.issueStateCredential(other);
    expect((await stateClient(address, otherCredential).get()).status).toBe(403);
    await managed.revokeStateCredentials(runId);
    expect((await stateClient(address, credential).get()).status).toBe(403);

    const refusals = lines.slice(before).filter((line) => line.msg === "state request refused");
    expect(refusals.map((line) => line.reason)).toEqual([
      "no credential: basic auth required",
      "wrong password",
      "credential is for another component",
      "credential revoked",
    ]);
    for (const line of refusals) {
      expect(line).toMatchObject({ componentId, level: 40 });
      expect(line.remoteAddress).toMatch(/127\.0\.0\.1/);
    }
    const logged = JSON.stringify(lines);
    for (const secret of [credential.password, otherCredential.password, "guess-123"]) {
      expect(logged).not.toContain(secret);
    }
  });

  describe("operator commands", () => {
    it("imports a state file and exports it back byte for byte", async () => {
      const { name, componentId } = await component();
      const file = path.join(scratch.dataDir, `import-${componentId}.json`);
      const body = `${JSON.stringify(JSON.parse(stateJson(3, "lineage-import", { id: "i-1" })), null, 2)}\n`;
      await writeFile(file, body);

      const imported = await importStateCommand(deps, { component: name, file, who: "alice" });
      expect(imported).toEqual({
        exitCode: 0,
        stdout: `imported serial 3 (lineage lineage-import, ${Buffer.byteLength(body)} bytes) into ${name}\n`,
        stderr: "",
      });
      expect(lines.at(-1)).toMatchObject({
        audit: "state.import",
        who: "alice",
        component: name,
        serial: 3,
      });
      const [version] = await deps.store.versions(componentId);
      expect(version!.runId).toBeUndefined();

      const exported = await exportStateCommand(deps, { component: name });
      expect(exported.exitCode).toBe(0);
      expect(Buffer.isBuffer(exported.stdout) && exported.stdout.toString()).toBe(body);

      const again = await importStateCommand(deps, { component: name, file, who: "alice" });
      expect(again).toMatchObject({
        exitCode: 0,
        stdout: expect.stringMatching(/nothing imported/),
      });
    });

    it("refuses imports that would lose data, saying why", async () => {
      const { name, componentId } = await component();
      const write = async (file: string, text: string) => {
        const at = path.join(scratch.dataDir, `${componentId}-${file}`);
        await writeFile(at, text);
        return at;
      };
      const first = await write("first.json", stateJson(5, "lineage-r"));
      expect(
        (await importStateCommand(deps, { component: name, file: first, who: "alice" })).exitCode,
      ).toBe(0);

      const cases: [string, RegExp][] = [
        [
          await write("older.json", stateJson(4, "lineage-r")),
          /serial 4 is below the stored serial 5/,
        ],
        [await write("other.json", stateJson(6, "lineage-x")), /lineage lineage-x differs/],
        [
          await write("v3.json", JSON.stringify({ version: 3, serial: 9, lineage: "lineage-r" })),
          /version must be 4/,
        ],
        [await write("text.txt", "hello"), /not JSON/],
        [path.join(scratch.dataDir, "missing.json"), /cannot read .*missing\.json \(ENOENT\)/],
      ];
      for (const [file, message] of cases) {
        const result = await importStateCommand(deps, { component: name, file, who: "alice" });
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toMatch(message);
      }
      const tooSmall = await importStateCommand(
        { ...deps, maxStateBytes: 10 },
        {
          component: name,
          file: await write("next.json", stateJson(6, "lineage-r")),
          who: "alice",
        },
      );
      expect(tooSmall).toMatchObject({
        exitCode: 1,
        stderr: expect.stringMatching(/over the limit of 10 bytes/),
      });
      expect((await deps.store.versions(componentId)).map((version) => version.serial)).toEqual([
        5,
      ]);
    });

    it("force-unlocks with an audit line naming the operator and the previous holder", async () => {
      const { name, componentId, runId } = await component();
      const holder = lockInfo("bob@worker-3");
      await acquireStateLock(deps, {
        componentId,
        body: Buffer.from(JSON.stringify(holder)),
        runId,
      });

      const file = path.join(scratch.dataDir, `${componentId}-locked.json`);
      await writeFile(file, stateJson(1, "lineage-u"));
      const blocked = await importStateCommand(deps, { component: name, file, who: "alice" });
      expect(blocked.exitCode).toBe(1);
      expect(blocked.stderr).toMatch(
        /locked by lock .*bob@worker-3.*bosun state unlock acme\/infra/,
      );

      const unlocked = await unlockStateCommand(deps, { component: name, who: "alice" });
      expect(unlocked.exitCode).toBe(0);
      expect(unlocked.stdout).toMatch(
        new RegExp(
          `released lock ${holder.ID} \\(operation OperationTypeApply, by bob@worker-3, run ${runId}`,
        ),
      );
      expect(lines.at(-1)).toMatchObject({
        audit: "state.force-unlock",
        who: "alice",
        component: name,
        previousHolder: { lockId: holder.ID, info: holder, runId },
      });

      expect(await unlockStateCommand(deps, { component: name, who: "alice" })).toMatchObject({
        exitCode: 0,
        stdout: `${name} was not locked\n`,
      });
      expect(
        (await importStateCommand(deps, { component: name, file, who: "alice" })).exitCode,
      ).toBe(0);
    });

    it("names what it cannot find", async () => {
      const { name } = await component();
      const empty = await exportStateCommand(deps, { component: name });
      expect(empty).toEqual({
        exitCode: 1,
        stdout: "",
        stderr: `bosun: ${name} has no state yet\n`,
      });
      const cases: [string, RegExp][] = [
        [
          "acme/nothing:network@dev",
          /no repository acme\/nothing is known to Bosun \(known: acme\/infra\)/,
        ],
        [
          "acme/infra:nothing@dev",
          /repository acme\/infra has no stack nothing \(its stacks: .*stack-1/,
        ],
        [
          "acme/infra:stack-1@prod",
          /repository acme\/infra has no environment prod \(its environments: dev\)/,
        ],
        ["network@dev", /write it as owner\/repo:stack@environment/],
      ];
      for (const [component, message] of cases) {
        for (const result of [
          await exportStateCommand(deps, { component }),
          await unlockStateCommand(deps, { component, who: "alice" }),
        ]) {
          expect(result.exitCode).toBe(1);
          expect(result.stderr).toMatch(message);
        }
      }
      await seedComponent(
        database.db,
        networkSpec({ stack: "dns", dir: "infra/dns", environment: "prod" }),
      );
      const notDeployed = await exportStateCommand(deps, { component: "acme/infra:stack-1@prod" });
      expect(notDeployed.stderr).toBe(
        "bosun: stack stack-1 of acme/infra is not deployed to environment prod (it is deployed to: dev)\n",
      );
      // Repository names are matched as GitHub does, ignoring case.
      expect(
        (await exportStateCommand(deps, { component: name.replace("acme/infra", "ACME/Infra") }))
          .stderr,
      ).toMatch(/has no state yet/);
    });
  });
});
