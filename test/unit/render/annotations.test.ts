import { describe, expect, it } from "vitest";
import {
  batchAnnotations,
  renderAnnotations,
  type Annotation,
} from "../../../src/render/annotations.js";
import {
  ANNOTATION_MESSAGE_LIMIT,
  ANNOTATION_TITLE_LIMIT,
  ANNOTATIONS_PER_REQUEST,
} from "../../../src/render/limits.js";
import { component, report } from "./fixtures.js";
import * as scenarios from "./scenarios.js";

const sample = (index: number): Annotation => ({
  path: "infra/network/main.tf",
  start_line: index + 1,
  end_line: index + 1,
  annotation_level: "warning",
  title: `warning ${index}`,
  message: "message",
});

describe("batchAnnotations", () => {
  it.each([
    [0, []],
    [1, [1]],
    [50, [50]],
    [51, [50, 1]],
    [100, [50, 50]],
    [120, [50, 50, 20]],
  ])("puts %i annotations in batches of %j", (count, sizes) => {
    const annotations = Array.from({ length: count }, (_, index) => sample(index));
    const batches = batchAnnotations(annotations, ANNOTATIONS_PER_REQUEST);
    expect(batches.map((batch) => batch.length)).toEqual(sizes);
    // In order, nothing lost or repeated.
    expect(batches.flat()).toEqual(annotations);
  });

  it("batches by 50 unless told otherwise", () => {
    expect(batchAnnotations(Array.from({ length: 51 }, (_, index) => sample(index)))).toHaveLength(
      2,
    );
  });

  it.each([0, -1, 1.5, 51, Number.NaN])("refuses a batch size of %s", (size) => {
    expect(() => batchAnnotations([sample(0)], size)).toThrow(RangeError);
  });
});

describe("renderAnnotations", () => {
  it("annotates the diagnostics that name a file and line, failures first", () => {
    expect(renderAnnotations(scenarios.threeComponents)).toEqual([
      {
        path: "infra/db/main.tf",
        start_line: 12,
        end_line: 12,
        annotation_level: "failure",
        title: "db@dev: Unsupported argument",
        message: 'An argument named "storage_gb" is not expected here.',
      },
      {
        path: "infra/modules/rds/variables.tf",
        start_line: 3,
        end_line: 3,
        annotation_level: "warning",
        title: "db@dev: Deprecated attribute",
        message: 'The attribute "name" is deprecated. Use "db_name" instead.',
      },
    ]);
  });

  it.each([
    ["an absolute path", "/tmp/bosun-123/main.tf"],
    ["a path outside the repository", "../../../outside.tf"],
    ["a Windows path", "C:\\work\\main.tf"],
    ["an empty path", ""],
  ])("leaves out %s", (_case, filename) => {
    const input = report({
      components: [
        component({
          name: "network@dev",
          phase: "FAILED",
          diagnostics: [{ severity: "error", summary: "Broken", filename, line: 1 }],
        }),
      ],
    });
    expect(renderAnnotations(input)).toEqual([]);
  });

  it("annotates bosun.yml problems that have a line", () => {
    const input = report({
      configProblems: [
        { file: "bosun.yml", path: "stacks[0].dir", line: 7, message: "Required" },
        { file: "bosun.yml", path: "", message: "Not a mapping" },
      ],
    });
    expect(renderAnnotations(input)).toEqual([
      {
        path: "bosun.yml",
        start_line: 7,
        end_line: 7,
        annotation_level: "failure",
        title: "bosun.yml: stacks[0].dir",
        message: "Required",
      },
    ]);
  });

  it("uses the summary when there is no detail, spans lines, and sends duplicates once", () => {
    const diagnostic = {
      severity: "warning" as const,
      summary: "Deprecated",
      filename: "./main.tf",
      line: 4,
      endLine: 6,
    };
    const input = report({
      components: [component({ name: "app@dev", diagnostics: [diagnostic, diagnostic] })],
    });
    expect(renderAnnotations(input)).toEqual([
      {
        path: "infra/app/main.tf",
        start_line: 4,
        end_line: 6,
        annotation_level: "warning",
        title: "app@dev: Deprecated",
        message: "Deprecated",
      },
    ]);
  });

  it("keeps titles and messages within GitHub's limits", () => {
    const input = report({
      components: [
        component({
          name: "app@dev",
          diagnostics: [
            {
              severity: "error",
              summary: "🙂".repeat(400),
              detail: Array.from({ length: 20_000 }, () => "détail ✓").join("\n"),
              filename: "main.tf",
              line: 1,
            },
          ],
        }),
      ],
    });
    const [annotation] = renderAnnotations(input);
    expect(annotation?.title.length).toBeLessThanOrEqual(ANNOTATION_TITLE_LIMIT.max);
    expect(annotation?.title.endsWith("…")).toBe(true);
    expect(Buffer.byteLength(annotation?.message ?? "", "utf8")).toBeLessThanOrEqual(
      ANNOTATION_MESSAGE_LIMIT.max,
    );
    expect(annotation?.message).toMatch(/\n… \d+ more lines$/);
  });
});
