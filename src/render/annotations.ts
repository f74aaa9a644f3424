import { diagnosticPath } from "./diagnostic-path.js";
import {
  ANNOTATION_MESSAGE_LIMIT,
  ANNOTATION_TITLE_LIMIT,
  ANNOTATIONS_PER_REQUEST,
  cutCodePoints,
  measure,
  truncateToLimit,
} from "./limits.js";
import type { ChangesetReport, DiagnosticSeverity } from "./report-model.js";
import { sanitizeText } from "./sanitize-text.js";

export const annotationLevels = ["notice", "warning", "failure"] as const;
export type AnnotationLevel = (typeof annotationLevels)[number];

/**
 * A check-run annotation, in the REST API's own field names so a reporter passes it through.
 * https://docs.github.com/en/rest/checks/runs#create-a-check-run (`output.annotations[]`).
 * Plain text: GitHub does not render Markdown in annotations.
 */
export interface Annotation {
  /** Repo-relative POSIX path. */
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: AnnotationLevel;
  readonly title: string;
  readonly message: string;
}

const levelOf: Readonly<Record<DiagnosticSeverity, AnnotationLevel>> = {
  error: "failure",
  warning: "warning",
};

const rank: Readonly<Record<AnnotationLevel, number>> = { failure: 0, warning: 1, notice: 2 };

/**
 * Annotations for every diagnostic that names a file and line inside the repository, and every
 * `bosun.yml` problem with a line. Failures come first, so that a reporter that can only send
 * the first batch sends what matters most; otherwise component order. Exact duplicates (two
 * stacks sharing a module report the same error) are sent once.
 */
export function renderAnnotations(report: ChangesetReport): Annotation[] {
  const fromConfig = (report.configProblems ?? []).flatMap((problem) =>
    problem.line === undefined || problem.line < 1
      ? []
      : [
          annotation({
            path: problem.file,
            line: problem.line,
            level: "failure",
            title: problem.path === "" ? problem.file : `${problem.file}: ${problem.path}`,
            message: problem.message,
          }),
        ],
  );
  const fromDiagnostics = report.components.flatMap((component) =>
    (component.diagnostics ?? []).flatMap((diagnostic) => {
      const { filename, line } = diagnostic;
      if (filename === undefined || line === undefined || line < 1) return [];
      const path = diagnosticPath(component.dir, filename);
      if (path === undefined) return [];
      const detail = diagnostic.detail?.trim() ?? "";
      return [
        annotation({
          path,
          line,
          endLine: diagnostic.endLine,
          level: levelOf[diagnostic.severity],
          title: `${component.name}: ${diagnostic.summary}`,
          message: detail === "" ? diagnostic.summary : detail,
        }),
      ];
    }),
  );
  const seen = new Set<string>();
  return [...fromConfig, ...fromDiagnostics]
    .filter((item) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((item, index) => ({ item, index }))
    .sort(
      (a, b) => rank[a.item.annotation_level] - rank[b.item.annotation_level] || a.index - b.index,
    )
    .map(({ item }) => item);
}

/**
 * `annotations` in chunks of at most `size` (GitHub accepts 50 per request; more go in further
 * "update a check run" calls, which append). No annotations, no chunks.
 */
export function batchAnnotations<T>(
  annotations: readonly T[],
  size: number = ANNOTATIONS_PER_REQUEST,
): T[][] {
  if (!Number.isInteger(size) || size < 1 || size > ANNOTATIONS_PER_REQUEST) {
    throw new RangeError(
      `batching annotations: size must be an integer from 1 to ${ANNOTATIONS_PER_REQUEST}, got ${size}`,
    );
  }
  const batches: T[][] = [];
  for (let start = 0; start < annotations.length; start += size) {
    batches.push(annotations.slice(start, start + size));
  }
  return batches;
}

function annotation(fields: {
  path: string;
  line: number;
  endLine?: number | undefined;
  level: AnnotationLevel;
  title: string;
  message: string;
}): Annotation {
  const title = sanitizeText(fields.title).replace(/\s*\n\s*/g, " ");
  const { budget, unit } = ANNOTATION_TITLE_LIMIT;
  return {
    path: fields.path,
    start_line: fields.line,
    // GitHub rejects an end before the start.
    end_line: Math.max(fields.line, fields.endLine ?? fields.line),
    annotation_level: fields.level,
    title: measure(title, unit) <= budget ? title : `${cutCodePoints(title, budget - 1, unit)}…`,
    message: truncateToLimit(
      sanitizeText(fields.message),
      ANNOTATION_MESSAGE_LIMIT,
      (lines) => `… ${lines} more lines`,
    ),
  };
}
