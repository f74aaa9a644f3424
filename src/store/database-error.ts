/** The database cannot be reached, opened or used; the message says what the operator can do. */
export class DatabaseError extends Error {
  override readonly name = "DatabaseError";
}
