export interface TarballLimits {
  /** Most bytes of file contents the archive may hold, whether or not `keep` accepts them. */
  maxBytes: number;
  /** Most entries (files, directories, links) the archive may hold, kept or not. */
  maxFiles: number;
}
