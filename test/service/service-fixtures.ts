// The service tests' shorthands over the real client and a real `gradebox start`.
import type { LocalService } from '../../services/host/local-service.js';
import { readSubmission, uploadSubmission, waitUntilGraded } from '../../services/host/portal-client.js';

export { CLI, startLocalService as startService } from '../../services/host/local-service.js';
export type RunningService = LocalService;

export const upload = uploadSubmission as (...args: Parameters<typeof uploadSubmission>) => Promise<{ status: number; body: any }>;
export const getSubmission = readSubmission;
export const waitGraded = waitUntilGraded;
