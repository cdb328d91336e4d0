// Security incidents for a course's staff: listed (by course and triage state), in detail (the
// offender, the policy, the audit log's lines, what the evidence holds), the evidence archive
// itself (sent only once its sha256 is checked again against the digest it is stored under), and
// triage (new, reviewed, dismissed, escalated) by instructors.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

import express, { Router, type Response } from 'express';

import { actorName } from '../../access/actor.js';
import { InternalError } from '../../common/errors.js';
import { staffRoutes } from '../../protocol/staff-routes.js';
import { cursor as cursorSchema, incidentTriage, pageLimit, triageState } from '../../protocol/staff-schemas.js';
import { courseId as courseIdSchema } from '../../protocol/ids.js';
import type { BlobContent, Incident, Store } from '../../store/store.js';
import { coursesToList, requireResourcePermission } from '../access-checks.js';
import { HttpError } from '../http-errors.js';
import { requireActor } from '../identify.js';
import { serveRoute } from '../serve-route.js';
import { checkedBody, queryParam } from './checked-input.js';
import { incidentDetailJson, incidentJson } from './incident-views.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import type { StaffContext } from './staff-context.js';

/** An evidence manifest larger than this is not shown inline (the archive still downloads). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

async function reachableIncident(store: Store, res: Response, id: string, permission: 'incidents.read' | 'incidents.triage'): Promise<Incident> {
  const incident = /^\d{1,15}$/.test(id) ? await store.getIncident(Number(id)) : null;
  const notFound = `no incident ${id}`;
  if (!incident) throw new HttpError(404, 'E_NOT_FOUND', notFound);
  requireResourcePermission(res, permission, incident.courseId, notFound);
  return incident;
}

async function sha256Of(blob: BlobContent): Promise<string> {
  const hash = createHash('sha256');
  if (blob.content) return hash.update(blob.content).digest('hex');
  for await (const chunk of createReadStream(blob.path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The manifest (JSON, written by gradebox-snapshot) the worker uploaded beside the archive, its digest in the record; null when there is none. */
async function manifestOf(store: Store, incident: Incident): Promise<unknown> {
  const digest = (incident.record as { manifestSha256?: unknown }).manifestSha256;
  const blob = typeof digest === 'string' ? await store.getBlob(digest) : null;
  if (!blob || blob.size > MAX_MANIFEST_BYTES) return null;
  try {
    return JSON.parse((blob.content ?? await readFile(blob.path)).toString('utf8'));
  } catch {
    return null;
  }
}

export function incidentRoutes({ store, audit }: StaffContext): Router {
  const router = Router();
  serveRoute(router, staffRoutes.incidents, async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const courses = coursesToList(res, 'incidents.read', queryParam(query, 'course', courseIdSchema));
    const before = decodeCursor(queryParam(query, 'cursor', cursorSchema), (v): v is number => Number.isSafeInteger(v) && (v as number) > 0);
    const limit = queryParam(query, 'limit', pageLimit) ?? 100;
    const page = await store.listIncidents({
      ...(courses === 'all' ? {} : { courseId: courses[0] }), state: queryParam(query, 'state', triageState), beforeId: before, limit,
    });
    res.json({ incidents: page.map(incidentJson), next_cursor: page.length === limit ? encodeCursor(page.at(-1)!.id) : null });
  });

  serveRoute(router, staffRoutes.incident, async (req, res) => {
    const incident = await reachableIncident(store, res, String(req.params.id), 'incidents.read');
    res.json(incidentDetailJson(incident, await manifestOf(store, incident)));
  });

  serveRoute(router, staffRoutes.incidentEvidence, async (req, res) => {
    const incident = await reachableIncident(store, res, String(req.params.id), 'incidents.read');
    const blob = incident.evidenceSha256 ? await store.getBlob(incident.evidenceSha256) : null;
    if (!blob) throw new HttpError(404, 'E_NOT_FOUND', `incident ${incident.id} has no evidence archive stored (the sandbox kept none, or the upload failed)`);
    // Checked again as it is sent: a blob changed on disk since it was stored is never handed out as evidence.
    const digest = await sha256Of(blob);
    if (digest !== incident.evidenceSha256) throw new InternalError('E_EVIDENCE_CHANGED', `the evidence of incident ${incident.id} no longer matches its sha256 ${incident.evidenceSha256} (now ${digest})`);
    res.set({
      'content-type': 'application/octet-stream', 'x-content-type-options': 'nosniff', 'x-content-sha256': digest,
      'content-disposition': `attachment; filename="incident-${incident.id}-evidence.tar"`,
    });
    if (blob.content) res.end(blob.content);
    else res.sendFile(blob.path, { dotfiles: 'allow' });
  });

  serveRoute(router, staffRoutes.triageIncident, express.json({ limit: '8kb' }), async (req, res) => {
    const incident = await reachableIncident(store, res, String(req.params.id), 'incidents.triage');
    const input = checkedBody(incidentTriage, req.body, 'send {"state": "new" | "reviewed" | "dismissed" | "escalated", "note": "…"}');
    const triaged = await store.setIncidentTriage(incident.id, { state: input.state, note: input.note ?? null, by: actorName(requireActor(res)) });
    await audit(res, 'incident.triaged', incident.courseId, { incident: incident.id, state: input.state });
    res.json(incidentDetailJson(triaged, await manifestOf(store, triaged)));
  });
  return router;
}
