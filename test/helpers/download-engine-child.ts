/**
 * Another process downloading an engine version into the same BOSUN_ENGINE_DIR, for the
 * downloader's lock test: `node --import tsx test/helpers/download-engine-child.ts`, its request
 * in BOSUN_TEST_DOWNLOAD (JSON); prints the outcome as JSON.
 */
import pino from "pino";
import { z } from "zod";
import { parseEngineConstraint } from "../../src/domain/engine-constraint.js";
import { createEngineDownloader } from "../../src/runner/download-engine.js";
import { MIRROR_PLATFORM } from "./engine-mirror.js";

const Request = z.object({
  dir: z.string(),
  mirror: z.string(),
  signingKeys: z.string(),
  constraint: z.string(),
});

const request = Request.parse(JSON.parse(process.env.BOSUN_TEST_DOWNLOAD ?? "{}"));
const parsed = parseEngineConstraint(request.constraint);
if (!parsed.ok) throw new Error(parsed.problem);
const downloader = await createEngineDownloader({
  dir: request.dir,
  mirror: { kind: "mirror", url: request.mirror },
  signingKeys: request.signingKeys,
  log: pino({ level: "silent" }),
  platform: MIRROR_PLATFORM,
});
process.stdout.write(JSON.stringify(await downloader.download("opentofu", parsed.constraint)));
