import { z } from "zod";

/** An HTTP API answer other than success: its status and the server's reason. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** A runtime config's problems, each with its line (a 422 answer). */
    readonly problems: readonly { path: string; line?: number | undefined; message: string }[] = [],
  ) {
    super(message);
  }
}

const ErrorBody = z.looseObject({
  error: z.string(),
  problems: z
    .array(
      z.looseObject({
        path: z.string(),
        line: z
          .number()
          .int()
          .nullish()
          .transform((line) => line ?? undefined),
        message: z.string(),
      }),
    )
    .optional(),
});

const Counts = z.looseObject({ add: z.number(), change: z.number(), destroy: z.number() });

export const ApiPhase = z.looseObject({
  id: z.string(),
  phase: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullish(),
  exitCode: z.number().nullish(),
  lineCount: z.number(),
});

export const ApiRun = z.looseObject({
  id: z.string(),
  environment: z.string(),
  kind: z.string(),
  status: z.string(),
  finished: z.boolean(),
  commitSha: z.string(),
  triggeredBy: z.string(),
  createdAt: z.string(),
  counts: Counts,
  components: z.array(
    z.looseObject({
      stack: z.string(),
      phase: z.string(),
      counts: Counts.nullish(),
      failureReason: z.string().nullish(),
      phases: z.array(ApiPhase),
    }),
  ),
});
export type ApiRun = z.infer<typeof ApiRun>;

export const ApiRunRow = z.looseObject({
  id: z.string(),
  environment: z.string(),
  kind: z.string(),
  status: z.string(),
  stacks: z.array(z.string()),
  counts: Counts,
  commitSha: z.string(),
  triggeredBy: z.string(),
  createdAt: z.string(),
});
export type ApiRunRow = z.infer<typeof ApiRunRow>;

const Started = z.looseObject({ id: z.string(), url: z.string(), status: z.string() });
const RunList = z.looseObject({ rows: z.array(ApiRunRow) });

export type TriggerKind = "tracked" | "plan" | "destroy";

export interface ApiClient {
  triggerRun(
    repository: string,
    stack: string,
    body: { environment: string; kind: TriggerKind; runtime_config?: string },
  ): Promise<z.infer<typeof Started>>;
  run(id: string): Promise<ApiRun>;
  /** A phase's log as text. */
  phaseLog(runId: string, phaseId: string): Promise<string>;
  runs(repository: string, options: { stack?: string | undefined }): Promise<ApiRunRow[]>;
  confirm(runId: string): Promise<unknown>;
  discard(runId: string): Promise<unknown>;
}

/**
 * Bosun's HTTP API as the people's CLI uses it (README "HTTP API"): every answer checked against
 * the shape it must have, every failure an {@link ApiError} carrying the server's reason.
 */
export function createApiClient(options: {
  url: string;
  token: string;
  fetch?: typeof fetch;
}): ApiClient {
  const send = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, "");
  const call = async (method: "GET" | "POST", path: string, body?: unknown): Promise<Response> => {
    let response: Response;
    try {
      response = await send(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new ApiError(0, `cannot reach Bosun at ${base}: ${(error as Error).message}`);
    }
    if (response.ok) return response;
    const text = await response.text();
    const parsed = ErrorBody.safeParse(safeJson(text));
    throw new ApiError(
      response.status,
      parsed.success
        ? parsed.data.error
        : `Bosun answered ${response.status} ${response.statusText}`,
      parsed.success ? (parsed.data.problems ?? []) : [],
    );
  };
  const json = async <T>(schema: z.ZodType<T>, response: Response): Promise<T> => {
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new ApiError(response.status, `unexpected answer from Bosun: ${parsed.error.message}`);
    }
    return parsed.data;
  };
  const repoPath = (repository: string) => {
    const [owner, name, ...rest] = repository.split("/");
    if (!owner || !name || rest.length > 0) {
      throw new ApiError(0, `${JSON.stringify(repository)} is not OWNER/REPO`);
    }
    return `/api/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  };
  const runPath = (id: string) => `/api/runs/${encodeURIComponent(id)}`;

  return {
    async triggerRun(repository, stack, body) {
      const path = `${repoPath(repository)}/stacks/${encodeURIComponent(stack)}/runs`;
      return json(Started, await call("POST", path, body));
    },
    async run(id) {
      return json(ApiRun, await call("GET", runPath(id)));
    },
    async phaseLog(runId, phaseId) {
      const response = await call(
        "GET",
        `${runPath(runId)}/logs?phase=${encodeURIComponent(phaseId)}`,
      );
      return response.text();
    },
    async runs(repository, { stack }) {
      const query = stack ? `?stack=${encodeURIComponent(stack)}` : "";
      return (await json(RunList, await call("GET", `${repoPath(repository)}/runs${query}`))).rows;
    },
    async confirm(runId) {
      return (await call("POST", `${runPath(runId)}/confirm`)).json();
    },
    async discard(runId) {
      return (await call("POST", `${runPath(runId)}/discard`)).json();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
