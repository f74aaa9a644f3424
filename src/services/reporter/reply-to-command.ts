import { renderRefusalReply, type Refusal } from "../../render/command-reply.js";
import type { GithubRepoWriter, Reaction } from "../github-port.js";

/** A command's comment seen: acknowledged with a reaction before any work starts. */
export async function acknowledgeCommand(api: GithubRepoWriter, commentId: number): Promise<void> {
  await api.react(commentId, "eyes");
}

/** A command done: its comment gets the reaction that says so. */
export async function reactToCommand(
  api: GithubRepoWriter,
  commentId: number,
  reaction: Reaction,
): Promise<void> {
  await api.react(commentId, reaction);
}

/** A command whose answer is a comment (`/help`). */
export async function replyToCommand(
  api: GithubRepoWriter,
  number: number,
  body: string,
): Promise<void> {
  await api.createComment(number, body);
}

/**
 * A refusal told to the person who asked, as a comment on the pull request. A button or a review
 * has no comment of its own to react to; a command's comment is marked `confused` as well.
 */
export async function replyWithRefusal(
  api: GithubRepoWriter,
  request: { number: number; actor: string; commentId?: number },
  refusal: Refusal,
): Promise<void> {
  await api.createComment(request.number, renderRefusalReply(request.actor, refusal));
  if (request.commentId !== undefined) await api.react(request.commentId, "confused");
}
