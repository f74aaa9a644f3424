import { execFile } from "node:child_process";
import { createCipheriv, type KeyObject, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createKeyRing,
  generateEncryptionKey,
  keyId,
  open,
  seal,
  SealError,
  sealedKeyId,
} from "../../../src/lib/seal.js";
import {
  revisionOutputsContext,
  savedWorkspaceContext,
  signingKeyContext,
} from "../../../src/lib/seal-contexts.js";
import { rotateKeys, rotateKeysCommand } from "../../../src/services/rotate-keys.js";
import { openState, sealState } from "../../../src/state/state-envelope.js";
import type { Database } from "../../../src/store/database.js";
import { createNotificationRepository } from "../../../src/store/notification-repository.js";
import {
  notificationSecrets,
  oidcSigningKeys,
  revisions,
  runComponents,
  stackSecrets,
  stateVersions,
} from "../../../src/store/schema/index.js";
import { createSealedValueRepository } from "../../../src/store/sealed-value-repository.js";
import { createSecretRepository } from "../../../src/store/secret-repository.js";
import { bosunArguments } from "../../helpers/bosun-cli.js";
import {
  databaseKinds,
  openScratchDatabase,
  type OpenScratchDatabase,
} from "../../helpers/databases.js";
import { networkSpec, seedRun, SHA } from "../../helpers/seed.js";

const REPO = 1296269;

/**
 * A version 1 envelope, as Bosun sealed values before they carried a key id:
 * | 0x01 | IV (12) | tag (16) | ciphertext |, with the version byte and the context as AAD.
 */
function sealVersion1(key: KeyObject, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.concat([Buffer.from([1]), Buffer.from(aad, "utf8")]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), ciphertext]);
}

/** Every sealed value of the database, whatever its table. */
async function everySealedValue(database: Database): Promise<Buffer[]> {
  const { db } = database;
  return [
    ...(await db.select({ v: stackSecrets.sealedValue }).from(stackSecrets)).map((r) => r.v),
    ...(await db.select({ v: notificationSecrets.sealedValue }).from(notificationSecrets)).map(
      (r) => r.v,
    ),
    ...(await db.select({ v: oidcSigningKeys.sealedPrivateJwk }).from(oidcSigningKeys)).map(
      (r) => r.v,
    ),
    ...(await db.select({ v: runComponents.sealedWorkspace }).from(runComponents)).flatMap((r) =>
      r.v ? [r.v] : [],
    ),
    ...(await db.select({ v: revisions.sealedOutputs }).from(revisions)).flatMap((r) =>
      r.v ? [r.v] : [],
    ),
    ...(await db.select({ v: stateVersions.sealedBody }).from(stateVersions)).map((r) => r.v),
  ];
}

describe.each(databaseKinds)("bosun keys rotate on %s", (kind) => {
  let opened: OpenScratchDatabase;
  let database: Database;
  const oldKey = generateEncryptionKey().key;
  const newKey = generateEncryptionKey().key;
  const oldRing = createKeyRing([oldKey]);
  const bothRing = createKeyRing([newKey, oldKey]);
  const newRing = createKeyRing([newKey]);
  let ids: { runComponentId: string; componentId: string };

  beforeAll(async () => {
    opened = await openScratchDatabase(kind);
    database = opened.database;
    const { db } = database;
    ids = await seedRun(db, networkSpec());
    // Sealed under the old key, through the code that seals each kind…
    const secrets = createSecretRepository(db, oldRing);
    await secrets.set({
      repositoryId: REPO,
      stackName: "network",
      environment: undefined,
      name: "TF_VAR_token",
      scope: "both",
      value: "stack-wide value",
    });
    await secrets.set({
      repositoryId: REPO,
      stackName: "network",
      environment: "dev",
      name: "AWS_SECRET_ACCESS_KEY",
      scope: "apply",
      value: "dev value",
    });
    await createNotificationRepository(db, oldRing).setWebhookSecret(REPO, "AUDIT", "whsec_x");
    await db.insert(oidcSigningKeys).values({
      kid: "kid-1",
      publicJwk: { kty: "RSA" },
      sealedPrivateJwk: seal(oldRing, Buffer.from('{"d":"private"}'), signingKeyContext("kid-1")),
    });
    await db
      .update(runComponents)
      .set({
        sealedWorkspace: seal(
          oldRing,
          Buffer.from("plan file"),
          savedWorkspaceContext(ids.runComponentId),
        ),
      })
      .where(eq(runComponents.id, ids.runComponentId));
    await db.insert(revisions).values({
      componentId: ids.componentId,
      runId: (await db.select().from(runComponents))[0]!.runId,
      commitSha: SHA,
      planDigest: "sha256:00",
      sealedOutputs: seal(
        oldRing,
        Buffer.from('{"password":"p"}'),
        revisionOutputsContext(ids.componentId),
      ),
      startedAt: new Date(),
    });
    // …and state versions, one of them sealed before values carried a key id.
    for (const serial of [1, 2, 3]) {
      const body = Buffer.from(`{"serial":${serial}}`);
      await db.insert(stateVersions).values({
        componentId: ids.componentId,
        serial,
        lineage: "l",
        digest: `sha256:${serial}`,
        size: body.length,
        sealedBody:
          serial === 1
            ? sealVersion1(oldKey, body, `bosun-state:${ids.componentId}:${serial}`)
            : sealState(oldRing, ids.componentId, serial, body),
      });
    }
  });
  afterAll(async () => {
    await opened.close();
  });

  const readEverything = async (ring: typeof newRing) => {
    const { db } = database;
    const secrets = await createSecretRepository(db, ring).forPhase(
      REPO,
      "network",
      "dev",
      "apply",
      {
        stackWide: true,
      },
    );
    const webhook = await createNotificationRepository(db, ring).webhookSecret(REPO, "AUDIT");
    const states = (
      await db.select().from(stateVersions).where(eq(stateVersions.componentId, ids.componentId))
    ).map((version) => openState(ring, version).toString("utf8"));
    const [component] = await db.select().from(runComponents);
    const workspace = open(
      ring,
      component!.sealedWorkspace!,
      savedWorkspaceContext(ids.runComponentId),
    ).toString("utf8");
    return { secrets, webhook, states: states.sort(), workspace };
  };

  it("opens values sealed under the old key once a newer key is added in front", async () => {
    expect(await readEverything(bothRing)).toEqual({
      secrets: { TF_VAR_token: "stack-wide value", AWS_SECRET_ACCESS_KEY: "dev value" },
      webhook: "whsec_x",
      states: ['{"serial":1}', '{"serial":2}', '{"serial":3}'],
      workspace: "plan file",
    });
    // The new key alone opens none of them yet.
    await expect(readEverything(newRing)).rejects.toBeInstanceOf(SealError);
  });

  it("re-seals every value under the newest key, after which the old key can go; twice is a no-op", async () => {
    const sealed = createSealedValueRepository(database);
    const before = await everySealedValue(database);
    expect(before).toHaveLength(9);
    expect(before.every((value) => sealedKeyId(value) !== keyId(newKey))).toBe(true);

    const first = await rotateKeys({ sealed, keys: bothRing });
    expect(Object.fromEntries(first.map((kind) => [kind.kind, kind.resealed]))).toEqual({
      "stack-secret": 2,
      "notification-secret": 1,
      "signing-key": 1,
      "saved-workspace": 1,
      "revision-outputs": 1,
      "state-version": 3,
    });
    expect(first.every((kind) => kind.left === 0 && kind.unopened.length === 0)).toBe(true);

    const after = await everySealedValue(database);
    expect(after.map((value) => sealedKeyId(value))).toEqual(after.map(() => keyId(newKey)));
    // The old key removed: everything opens under the new one alone.
    expect((await readEverything(newRing)).states).toHaveLength(3);
    expect((await readEverything(newRing)).secrets.AWS_SECRET_ACCESS_KEY).toBe("dev value");
    const jwk = (await database.db.select().from(oidcSigningKeys))[0]!;
    expect(open(newRing, jwk.sealedPrivateJwk, signingKeyContext("kid-1")).toString()).toBe(
      '{"d":"private"}',
    );
    // The old key alone opens nothing any more, and says which key it would need.
    await expect(readEverything(oldRing)).rejects.toMatchObject({ code: "unknown-key" });

    const second = await rotateKeysCommand({ sealed, keys: bothRing });
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain("state-version: 3 sealed, 0 re-sealed");
    expect(second.stdout).toContain(
      `every sealed value is under ${keyId(newKey)}: ${keyId(oldKey)} can be removed from BOSUN_ENCRYPTION_KEYS`,
    );
    const unchanged = await everySealedValue(database);
    expect(unchanged.map((value) => value.toString("hex"))).toEqual(
      after.map((value) => value.toString("hex")),
    );
  });

  it("leaves a value a running Bosun rewrote meanwhile as that Bosun wrote it", async () => {
    const sealed = createSealedValueRepository(database);
    const [row] = await database.db.select().from(oidcSigningKeys);
    const stale = seal(oldRing, Buffer.from("x"), signingKeyContext("kid-1"));
    expect(await sealed.replace("signing-key", ["kid-1"], stale, stale)).toBe(false);
    const [still] = await database.db.select().from(oidcSigningKeys);
    expect(still!.sealedPrivateJwk.equals(row!.sealedPrivateJwk)).toBe(true);
  });

  it("names, and keeps, a value that no configured key opens", async () => {
    const stranger = createKeyRing([generateEncryptionKey().key]);
    await database.db.insert(notificationSecrets).values({
      repositoryId: REPO,
      name: "STRANGER",
      sealedValue: seal(stranger, Buffer.from("v"), "notification-secret:1296269:STRANGER"),
    });
    const result = await rotateKeysCommand({
      sealed: createSealedValueRepository(database),
      keys: bothRing,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `notification-secret ${REPO}/STRANGER cannot be opened: opening sealed data: it was sealed under key ${stranger.newest.id}`,
    );
    expect(result.stdout).toContain("1 values are still under an older key: keep every key");
  });
});

// A process of its own beside the test's connection: PostgreSQL, where both can be open at once.
describe.each(databaseKinds.filter((kind) => kind === "postgres"))(
  "the bosun keys rotate command on %s",
  (kind) => {
    it("re-seals under the first of BOSUN_ENCRYPTION_KEYS, then finds nothing to do", async () => {
      const opened = await openScratchDatabase(kind);
      try {
        const older = generateEncryptionKey();
        const newer = generateEncryptionKey();
        await seedRun(opened.database.db, networkSpec());
        await createSecretRepository(opened.database.db, older.key).set({
          repositoryId: REPO,
          stackName: "network",
          environment: undefined,
          name: "TF_VAR_token",
          scope: "both",
          value: "v",
        });
        const rotate = () =>
          promisify(execFile)(process.execPath, bosunArguments(["keys", "rotate"]), {
            env: {
              PATH: process.env.PATH ?? "",
              ...opened.scratch.env,
              BOSUN_ENCRYPTION_KEYS: `${newer.text},${older.text}`,
            },
          });
        const first = await rotate();
        expect(first.stdout).toContain(
          `stack-secret: 1 sealed, 1 re-sealed under ${keyId(newer.key)}`,
        );
        const [row] = await opened.database.db.select().from(stackSecrets);
        expect(sealedKeyId(row!.sealedValue)).toBe(keyId(newer.key));
        const second = await rotate();
        expect(second.stdout).toContain("stack-secret: 1 sealed, 0 re-sealed");
        expect(second.stdout).toContain(`${keyId(older.key)} can be removed`);
      } finally {
        await opened.close();
      }
    });
  },
);
