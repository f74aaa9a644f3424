import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load-config.js";
import { ownCredentials } from "../../../src/config/own-credentials.js";
import { createMasker, MASK } from "../../../src/lib/redact.js";
import { testApp } from "../../helpers/app-credentials.js";

describe("ownCredentials", () => {
  it("lists every secret of Bosun's configuration, in each text it may be printed as", async () => {
    const key = Buffer.alloc(32, 7);
    const config = await loadConfig({
      APP_ID: testApp.appId,
      PRIVATE_KEY: testApp.privateKey,
      WEBHOOK_SECRET: testApp.webhookSecret,
      DATABASE_URL: "postgres://bosun:p%40ss%2Fw0rd@db:5432/bosun",
      BOSUN_ENCRYPTION_KEY: key.toString("hex"),
      GITHUB_CLIENT_ID: "Iv1.0123456789abcdef",
      GITHUB_CLIENT_SECRET: "oauth-client-secret-0451",
      BOSUN_METRICS_TOKEN: "metrics-bearer-token-0451",
      HTTPS_PROXY: "http://egress:pr0xy-pa55@proxy.corp:3128",
    });
    const masker = createMasker(ownCredentials(config));
    const bodyLine = testApp.privateKey.split("\n")[5]!;
    for (const secret of [
      testApp.webhookSecret,
      bodyLine,
      "p@ss/w0rd",
      "p%40ss%2Fw0rd",
      key.toString("hex"),
      key.toString("base64"),
      "oauth-client-secret-0451",
      "metrics-bearer-token-0451",
      "pr0xy-pa55",
    ]) {
      expect(masker.mask(`printed ${secret} here`)).toBe(`printed ${MASK} here`);
    }
  });

  it("has nothing to add for an embedded database and no App yet but the key", async () => {
    const config = await loadConfig({
      BOSUN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
      BOSUN_DATA_DIR: "/nonexistent/bosun",
    });
    expect(ownCredentials(config)).toHaveLength(4);
  });
});
