import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManagedState } from "../../../src/services/state-port.js";
import { createManagedState } from "../../../src/state/create-managed-state.js";
import { createStateCredentialRepository } from "../../../src/store/state-credential-repository.js";
import { createStateRepository } from "../../../src/store/state-repository.js";
import { databaseKinds } from "../../helpers/databases.js";
import { networkSpec, seedRun } from "../../helpers/seed.js";
import { lockInfo, md5, stateClient, stateJson } from "../../helpers/state-client.js";
import { startTestBosun, type TestBosun } from "../../helpers/test-bosun.js";

describe.each(databaseKinds)("the state backend protocol on %s", (kind) => {
  let bosun: TestBosun;
  let managed: ManagedState;
  let stacks = 0;

  beforeAll(async () => {
    bosun = await startTestBosun(kind);
    managed = createManagedState({
      store: createStateRepository(bosun.database.db),
      credentials: createStateCredentialRepository(bosun.database.db),
      key: bosun.config.encryptionKey,
      log: bosun.log,
    });
  });
  afterAll(async () => {
    await bosun?.close();
  });

  /** A fresh component with one run holding a write credential for it. */
  async function component() {
    stacks += 1;
    const spec = networkSpec({ stack: `stack-${stacks}`, dir: `infra/stack-${stacks}` });
    const run = await seedRun(bosun.database.db, spec);
    const address = `${bosun.url}/state/${run.componentId}`;
    const credential = await managed.issueStateCredential(run);
    /** Another run of the same component, with its own credential. */
    const anotherRun = async () => {
      const other = await seedRun(bosun.database.db, spec);
      return { ...other, client: stateClient(address, await managed.issueStateCredential(other)) };
    };
    return { ...run, address, credential, client: stateClient(address, credential), anotherRun };
  }

  it("answers 204 before any state, then 200 with exactly what was stored", async () => {
    const { client } = await component();
    const empty = await client.get();
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe("");

    const body = stateJson(1, "lineage-a", { vpc_id: "vpc-123" });
    expect((await client.post(body)).status).toBe(200);

    const read = await client.get();
    expect(read.status).toBe(200);
    expect(read.headers.get("content-type")).toBe("application/json");
    expect(read.headers.get("content-md5")).toBe(md5(body));
    expect(await read.text()).toBe(body);
  });

  it("locks, refuses a second holder with the holder's full LockInfo, and unlocks", async () => {
    const { client, anotherRun } = await component();
    const mine = lockInfo("alice@worker-1");
    const locked = await client.lock(mine);
    expect(locked.status).toBe(200);

    const other = await anotherRun();
    const theirs = lockInfo("bob@worker-2");
    const refused = await other.client.lock(theirs);
    expect(refused.status).toBe(423);
    expect(refused.headers.get("content-type")).toMatch(/application\/json/);
    expect(await refused.json()).toEqual(mine);

    // A retried LOCK with the holder's own ID is not a conflict.
    expect((await client.lock(mine)).status).toBe(200);

    const wrongUnlock = await other.client.unlock(theirs);
    expect(wrongUnlock.status).toBe(409);
    expect(await wrongUnlock.json()).toEqual(mine);

    expect((await client.unlock({ ID: mine.ID })).status).toBe(200);
    // Unlocking again finds nothing to release, which is not an error (a retried UNLOCK).
    expect((await client.unlock({ ID: mine.ID })).status).toBe(200);
    expect((await other.client.lock(theirs)).status).toBe(200);
  });

  it("lets exactly one of many simultaneous lockers win", async () => {
    const { anotherRun } = await component();
    const contenders = await Promise.all(
      Array.from({ length: 8 }, async (_, index) => ({
        ...(await anotherRun()),
        info: lockInfo(`runner-${index}@ci`),
      })),
    );
    const answers = await Promise.all(
      contenders.map(async ({ client, info }) => {
        const response = await client.lock(info);
        return { status: response.status, body: (await response.json()) as unknown, info };
      }),
    );
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    const losers = answers.filter((answer) => answer.status !== 200);
    expect(losers.map((answer) => answer.status)).toEqual(Array(7).fill(423));
    for (const loser of losers) expect(loser.body).toEqual(winners[0]!.info);
  });

  it("writes under a lock only with the holder's ID", async () => {
    const { client, anotherRun } = await component();
    const mine = lockInfo("alice@worker-1");
    await client.lock(mine);

    const noId = await client.post(stateJson(1, "lineage-b"));
    expect(noId.status).toBe(423);
    expect(await noId.text()).toMatch(
      /locked by lock .*alice@worker-1.*must carry the holder's lock ID/,
    );

    const other = await anotherRun();
    const wrongId = await other.client.post(stateJson(1, "lineage-b"), "not-the-lock");
    expect(wrongId.status).toBe(409);
    expect(await wrongId.text()).toMatch(/not by lock not-the-lock/);
    expect((await client.get()).status).toBe(204);

    expect((await client.post(stateJson(1, "lineage-b"), mine.ID)).status).toBe(200);
    expect((await client.unlock(mine)).status).toBe(200);

    // The writer's lock is gone: its ID no longer authorises anything.
    const stale = await client.post(stateJson(2, "lineage-b"), mine.ID);
    expect(stale.status).toBe(409);
    expect(await stale.text()).toMatch(/lock .* is not held/);
  });

  it("refuses deletes and methods outside the protocol with 405", async () => {
    const { client } = await component();
    await client.post(stateJson(1, "lineage-c"));
    const deleted = await client.send("DELETE");
    expect(deleted.status).toBe(405);
    expect(deleted.headers.get("allow")).toBe("GET, POST, LOCK, UNLOCK");
    expect(await deleted.text()).toMatch(/append-only/);
    expect((await client.send("PUT", stateJson(2, "lineage-c"))).status).toBe(405);
    expect(await (await client.get()).text()).toBe(stateJson(1, "lineage-c"));
  });

  it("verifies Content-MD5 when it is sent", async () => {
    const { client } = await component();
    const body = stateJson(1, "lineage-d");
    const damaged = await client.post(body, undefined, { "content-md5": md5("something else") });
    expect(damaged.status).toBe(400);
    expect(await damaged.text()).toMatch(/Content-MD5 does not match/);
    const malformed = await client.post(body, undefined, { "content-md5": "abc" });
    expect(malformed.status).toBe(400);
    expect((await client.get()).status).toBe(204);
  });

  it("refuses lock bodies that are not LockInfo with 400", async () => {
    const { client } = await component();
    for (const body of ["not json", JSON.stringify({ Who: "x" }), JSON.stringify({ ID: "" })]) {
      const response = await client.lock(body);
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/LockInfo/);
    }
    expect((await client.unlock("{")).status).toBe(400);
    // Nothing was locked by the bad requests.
    expect((await client.post(stateJson(1, "lineage-e"))).status).toBe(200);
  });

  it("refuses bodies that are not engine states with 400, leaving the state untouched", async () => {
    const { client } = await component();
    const first = stateJson(1, "lineage-f");
    await client.post(first);
    const cases: [string, RegExp][] = [
      ["<html>", /not JSON/],
      [JSON.stringify({ version: 3, serial: 2, lineage: "lineage-f" }), /version must be 4/],
      [JSON.stringify({ version: 4, serial: 2 }), /lineage/],
      ["[]", /JSON object/],
    ];
    for (const [body, message] of cases) {
      const response = await client.post(body);
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(message);
    }
    expect(await (await client.get()).text()).toBe(first);
  });

  it("keeps lineage and moves serials forward; a retried write is a no-op", async () => {
    const { client, componentId } = await component();
    const store = createStateRepository(bosun.database.db);
    await client.post(stateJson(5, "lineage-g"));

    const otherLineage = await client.post(stateJson(6, "lineage-other"));
    expect(otherLineage.status).toBe(409);
    expect(await otherLineage.text()).toMatch(
      /lineage lineage-other differs from the stored lineage lineage-g/,
    );

    const backwards = await client.post(stateJson(4, "lineage-g"));
    expect(backwards.status).toBe(409);
    expect(await backwards.text()).toMatch(/serial 4 is below the stored serial 5/);

    const reused = await client.post(stateJson(5, "lineage-g", { changed: "yes" }));
    expect(reused.status).toBe(409);
    expect(await reused.text()).toMatch(/serial 5 is already stored with different content/);

    const retried = await client.post(stateJson(5, "lineage-g"));
    expect(retried.status).toBe(200);
    expect(await retried.text()).toBe("unchanged\n");

    expect((await client.post(stateJson(7, "lineage-g"))).status).toBe(200);
    expect((await store.versions(componentId)).map((version) => version.serial)).toEqual([7, 5]);
    expect(await (await client.get()).text()).toBe(stateJson(7, "lineage-g"));
  });

  it("refuses a state over 50 MB with 413, leaving the state untouched", async () => {
    const { client } = await component();
    const first = stateJson(1, "lineage-h");
    await client.post(first);
    const huge = Buffer.alloc(50 * 1024 * 1024 + 1, 0x20);
    const response = await client.post(huge, undefined, { "content-md5": md5(huge) });
    expect(response.status).toBe(413);
    expect(await response.text()).toMatch(/over the limit of 52428800 bytes/);
    expect(await (await client.get()).text()).toBe(first);
  });

  it("answers 401 without a credential Bosun knows, and 403 beyond a credential's reach", async () => {
    const { address, credential, runId, componentId } = await component();
    const other = await component();

    const anonymous = await stateClient(address, undefined).get();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic/);
    for (const method of ["POST", "LOCK", "UNLOCK", "DELETE", "PUT"]) {
      expect((await stateClient(address, undefined).send(method, "{}")).status).toBe(401);
    }
    const wrongToken = { username: credential.username, password: "guessed" };
    const guessed = await stateClient(address, wrongToken).get();
    expect(guessed.status).toBe(401);
    // The same answer whether or not the credential id exists.
    expect(await guessed.text()).toBe(await anonymous.text());
    const unknown = { username: "11111111-2222-4333-8444-555555555555", password: "x" };
    expect((await stateClient(address, unknown).get()).status).toBe(401);

    const elsewhere = await stateClient(address, other.credential).get();
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.text()).toMatch(/another component/);

    const reader = stateClient(
      address,
      await managed.issueStateCredential({ componentId: other.componentId, runId, access: "read" }),
    );
    expect((await reader.get()).status).toBe(403);
    const ownReader = stateClient(
      address,
      await managed.issueStateCredential({
        componentId,
        runId,
        access: "read",
      }),
    );
    expect((await ownReader.get()).status).toBe(204);
    expect((await ownReader.lock(lockInfo("plan@ci"))).status).toBe(403);
    expect((await ownReader.post(stateJson(1, "l"))).status).toBe(403);

    // The run's write credential and both read credentials.
    expect(await managed.revokeStateCredentials(runId)).toBe(3);
    const revoked = await stateClient(address, credential).get();
    expect(revoked.status).toBe(403);
    expect(await revoked.text()).toMatch(/revoked/);
  });

  it("revokes one phase's credential without touching the run's others", async () => {
    const { client, credential, runId, componentId, address } = await component();
    const sibling = await managed.issueStateCredential({ componentId, runId });
    await managed.revokeStateCredential(credential.username);
    expect((await client.get()).status).toBe(403);
    expect((await stateClient(address, sibling).get()).status).toBe(204);
  });

  it("releases the locks of a run that died, after which its lock ID is refused", async () => {
    const dead = await component();
    const deadLock = lockInfo("dead@worker-9");
    expect((await dead.client.lock(deadLock)).status).toBe(200);
    const next = await dead.anotherRun();
    expect((await next.client.lock(lockInfo("next@worker-1"))).status).toBe(423);

    const released = await managed.releaseLocksOfRun(dead.runId);
    expect(released).toMatchObject([
      { componentId: dead.componentId, lockId: deadLock.ID, runId: dead.runId },
    ]);
    expect(await managed.releaseLocksOfRun(dead.runId)).toEqual([]);

    const nextLock = lockInfo("next@worker-1");
    expect((await next.client.lock(nextLock)).status).toBe(200);
    expect((await dead.client.post(stateJson(1, "lineage-i"), deadLock.ID)).status).toBe(409);
    expect((await next.client.post(stateJson(1, "lineage-i"), nextLock.ID)).status).toBe(200);
  });

  it("serves nothing but component addresses under /state", async () => {
    expect((await fetch(`${bosun.url}/state`)).status).toBe(404);
    expect((await fetch(`${bosun.url}/state/a/b`)).status).toBe(404);
  });
});
