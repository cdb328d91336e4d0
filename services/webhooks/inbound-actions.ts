// What a verified inbound webhook asks, done once per webhook-id: create a submission (its files
// taken in like an upload's) or regrade one of the integration's course; its grading carries the
// id of the request that delivered the webhook.
import type { UploadLimits } from '../intake/upload-limits.js';
import { isSubmissionId } from '../protocol/ids.js';
import type { CreatedSubmission, Store } from '../store/store.js';
import type { VerifiedInbound } from './inbound-verifier.js';
import { inboundFiles } from './inbound-files.js';
import { WebhookRefusal } from './webhook-refusal.js';

export async function actOnInbound(store: Store, verified: VerifiedInbound, requestId: string, uploadLimits?: Partial<UploadLimits>): Promise<CreatedSubmission> {
  const { integration, payload } = verified;
  const courseId = integration.courseId;
  const receipt = { integrationId: integration.id, webhookId: verified.webhookId };
  if (payload.type === 'submission.create') {
    const { assignment: name, student, files } = payload.data;
    const assignment = await store.findAssignment(courseId, name);
    if (!assignment) throw new WebhookRefusal(404, 'E_UNKNOWN_ASSIGNMENT', `course ${courseId} has no assignment "${name}"`);
    return store.createInboundSubmission(receipt, { courseId, assignmentId: assignment.id, student, requestId, files: await inboundFiles(store, files, uploadLimits) });
  }
  const id = payload.data.submission;
  const submission = isSubmissionId(id) ? await store.getSubmission(id) : null;
  if (!submission || submission.courseId !== courseId) throw new WebhookRefusal(404, 'E_NOT_FOUND', `no submission ${id} in course ${courseId}`);
  return store.requestInboundRegrade(receipt, id, requestId);
}
