import { connect } from "node:net";
import { DatabaseError } from "./database-error.js";

/**
 * Whether a process listens on the Unix socket: false when there is no socket, or only the file
 * a crashed process left. Any other failure (no permission, most often) is the operator's to fix.
 */
export function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const connection = connect(socketPath);
    connection.once("connect", () => {
      connection.destroy();
      resolve(true);
    });
    connection.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") resolve(false);
      else if (error.code === "EACCES") {
        reject(
          new DatabaseError(
            `cannot connect to ${socketPath}, where the running Bosun serves its embedded database: permission denied; run the command as the user Bosun runs as`,
          ),
        );
      } else {
        reject(
          new DatabaseError(`cannot connect to ${socketPath}: ${error.message}`, { cause: error }),
        );
      }
    });
  });
}
