/**
 * The pull-request comment: one comment per pull request, found again by a hidden marker and
 * updated in place on later runs (never a second one), through GitHub's REST API for issue
 * comments (a pull request is an issue). Bodies past GitHub's 65,536-character limit are cut
 * with a note.
 */
import { githubClient, githubError, repoParts } from '../integrations/github.js';
import { COMMENT_MARKER } from './io.js';

/** GitHub's limit of a comment body. */
export const COMMENT_LIMIT = 65_536;

export interface PullRequestRef {
  apiUrl: string;
  token: string;
  /** owner/name */
  repo: string;
  number: number;
}

export interface CommentResult {
  id: number;
  url: string;
  action: 'created' | 'updated';
}

export function commentBody(markdown: string): string {
  const body = `${COMMENT_MARKER}\n${markdown}`;
  if (body.length <= COMMENT_LIMIT) return body;
  const note = '\n\n…cut: the full report is in the job summary.\n';
  return body.slice(0, COMMENT_LIMIT - note.length) + note;
}

export async function upsertComment(pr: PullRequestRef, markdown: string): Promise<CommentResult> {
  const gh = githubClient({ apiUrl: pr.apiUrl, token: pr.token });
  const where = { ...repoParts(pr.repo), issue_number: pr.number };
  const body = commentBody(markdown);
  try {
    const comments = await gh.paginate(gh.rest.issues.listComments, { ...where, per_page: 100 });
    const mine = comments.find((c) => c.body?.startsWith(COMMENT_MARKER));
    if (mine) {
      const { data } = await gh.rest.issues.updateComment({ ...repoParts(pr.repo), comment_id: mine.id, body });
      return { id: data.id, url: data.html_url, action: 'updated' };
    }
    const { data } = await gh.rest.issues.createComment({ ...where, body });
    return { id: data.id, url: data.html_url, action: 'created' };
  } catch (err) {
    throw githubError(err, `commenting on ${pr.repo}#${pr.number}`);
  }
}
