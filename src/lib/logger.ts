import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Structured logs. Anything that could carry a credential is censored by path as a second line of
 * defence; the first is never logging such values at all.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: "bosun" },
    redact: {
      paths: [
        "*.privateKey",
        "*.token",
        "*.password",
        "*.authorization",
        "*.headers.authorization",
        "req.headers.authorization",
        "*.secret",
        "payload",
        "*.payload",
      ],
      censor: "***",
    },
  };
  // A command whose stdout is its product (`bosun state export`) logs to stderr instead.
  return destination ? pino(options, destination) : pino(options);
}
