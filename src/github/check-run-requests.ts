import { ANNOTATIONS_PER_REQUEST, CHECK_RUN_MAX_ACTIONS } from "../render/limits.js";
import type {
  CheckRunAction,
  CheckRunAnnotation,
  CheckRunContent,
} from "../services/github-port.js";

export interface CheckRunOutput {
  title: string;
  summary: string;
  text: string;
  annotations: CheckRunAnnotation[];
}

/** The fields a create or an update of a check run carries, in the REST API's names. */
export interface CheckRunFields {
  status: CheckRunContent["status"];
  /** Only with `status: "completed"`: GitHub completes a run that is given a conclusion. */
  conclusion?: NonNullable<CheckRunContent["conclusion"]>;
  details_url: string;
  output: CheckRunOutput;
  /** Always sent: an update without `actions` keeps the previous buttons, `[]` removes them. */
  actions: CheckRunAction[];
}

export interface CheckRunRequests {
  /** The create or update request, with the first batch of annotations. */
  fields: CheckRunFields;
  /** Bodies of the updates that follow, one per further batch of annotations. */
  annotationBatches: { output: CheckRunOutput }[];
}

/**
 * A check run's content as GitHub takes it
 * (https://docs.github.com/en/rest/checks/runs#create-a-check-run): at most 50 annotations a
 * request ("To create more than 50 annotations, you have to make multiple requests to the Update
 * a check run endpoint. Each time you update the check run, annotations are appended"), at most
 * three actions, and a conclusion only with `status: "completed"` ("Providing conclusion will
 * automatically set the status parameter to completed").
 */
export function checkRunRequests(content: CheckRunContent): CheckRunRequests {
  if (content.actions.length > CHECK_RUN_MAX_ACTIONS) {
    throw new Error(
      `a check run takes at most ${CHECK_RUN_MAX_ACTIONS} actions, got ${content.actions.length}: ` +
        content.actions.map((action) => action.identifier).join(", "),
    );
  }
  if (content.status === "completed" && !content.conclusion) {
    throw new Error(`a completed check run needs a conclusion ("${content.title}")`);
  }
  const batches: CheckRunAnnotation[][] = [];
  for (let start = 0; start < content.annotations.length; start += ANNOTATIONS_PER_REQUEST) {
    batches.push(content.annotations.slice(start, start + ANNOTATIONS_PER_REQUEST));
  }
  // The follow-ups repeat title, summary and text: `output` needs a title and summary, and GitHub
  // does not document whether an output without `text` keeps the text sent before.
  const output = (annotations: CheckRunAnnotation[]): CheckRunOutput => ({
    title: content.title,
    summary: content.summary,
    text: content.text,
    annotations,
  });
  return {
    fields: {
      status: content.status,
      ...(content.status === "completed" && content.conclusion
        ? { conclusion: content.conclusion }
        : {}),
      details_url: content.detailsUrl,
      output: output(batches[0] ?? []),
      actions: content.actions,
    },
    annotationBatches: batches.slice(1).map((annotations) => ({ output: output(annotations) })),
  };
}
