// Everything the store knows about one submission, for operators: every grading's whole result
// (internal problems included) or failure detail under its reference, the incidents, the events.
import type { Store, Submission } from '../store/store.js';
import { gradingReference } from './student-failure.js';

export async function operatorRecord(store: Store, submission: Submission): Promise<Record<string, unknown>> {
  const { result: _newest, ...row } = submission;
  const gradings = (await store.listGradings(submission.id)).map((g) => ({ reference: gradingReference(submission.id, g.gradeNumber), ...g }));
  return {
    submission: row,
    reference: gradingReference(submission.id, submission.gradeNumber),
    gradings,
    incidents: await store.listIncidents({ submissionId: submission.id }),
    events: await store.listEvents(submission.id),
  };
}
