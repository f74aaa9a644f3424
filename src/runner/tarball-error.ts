export type TarballErrorCode =
  /** An entry path starts at the filesystem root (or a drive). */
  | "absolute-path"
  /** An entry path has a `..` segment. */
  | "path-traversal"
  /** A symbolic or hard link points outside the destination, or lies under another link. */
  | "link-escape"
  /** A hard link, device, FIFO or other entry type a repository never contains. */
  | "unsupported-entry"
  /** More entries than `limits.maxFiles`. */
  | "too-many-files"
  /** File contents beyond `limits.maxBytes`. */
  | "too-large"
  /** Not gzip, not tar, truncated, or entries that contradict each other. */
  | "corrupt";

/** What is wrong with a tarball; `extractTarball` throws it and leaves nothing behind. */
export class TarballError extends Error {
  override readonly name = "TarballError";
  readonly code: TarballErrorCode;
  /** The entry's path as written in the archive, when the error is about one entry. */
  readonly entry: string | undefined;

  constructor(
    code: TarballErrorCode,
    message: string,
    options?: { entry?: string | undefined; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.entry = options?.entry;
  }
}

/** The refusal of one entry, naming it as the archive wrote it. */
export function refuseEntry(
  code: TarballErrorCode,
  entry: string,
  why: string,
  cause?: unknown,
): TarballError {
  return new TarballError(code, `refusing tarball entry ${JSON.stringify(entry)}: ${why}`, {
    entry,
    cause,
  });
}
