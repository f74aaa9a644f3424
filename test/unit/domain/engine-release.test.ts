import { describe, expect, it } from "vitest";
import { checksumOf, releaseFiles, releasePlatform } from "../../../src/domain/engine-release.js";

describe("engine release files", () => {
  it("names a release's files as the vendors publish them", () => {
    const linux = { os: "linux", arch: "amd64" };
    expect(releaseFiles("terraform", "1.14.6", linux)).toEqual({
      archive: "terraform_1.14.6_linux_amd64.zip",
      sums: "terraform_1.14.6_SHA256SUMS",
      signature: "terraform_1.14.6_SHA256SUMS.sig",
    });
    expect(releaseFiles("opentofu", "1.11.5", { os: "darwin", arch: "arm64" })).toEqual({
      archive: "tofu_1.11.5_darwin_arm64.zip",
      sums: "tofu_1.11.5_SHA256SUMS",
      signature: "tofu_1.11.5_SHA256SUMS.gpgsig",
    });
  });

  it.each([
    ["linux", "x64", { os: "linux", arch: "amd64" }],
    ["darwin", "arm64", { os: "darwin", arch: "arm64" }],
    ["freebsd", "ia32", { os: "freebsd", arch: "386" }],
    ["win32", "x64", undefined],
    ["linux", "s390x", undefined],
  ] as const)("maps %s/%s to the releases' platform", (platform, arch, expected) => {
    expect(releasePlatform(platform, arch)).toEqual(expected);
  });

  const a = "a".repeat(64);
  const b = "B".repeat(64);
  const sums = `${a}  tofu_1.11.5_linux_amd64.zip\n${b} *tofu_1.11.5_darwin_arm64.zip\r\n${"c".repeat(64)}  tofu_1.11.5_linux_amd64.zip.extra\n`;

  it.each([
    ["tofu_1.11.5_linux_amd64.zip", a],
    ["tofu_1.11.5_darwin_arm64.zip", "b".repeat(64)],
    ["tofu_1.11.5_linux_arm64.zip", undefined],
    ["linux_amd64.zip", undefined],
  ])("reads %s's checksum from SHA256SUMS", (file, expected) => {
    expect(checksumOf(sums, file)).toBe(expected);
  });
});
