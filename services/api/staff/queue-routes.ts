// The queue and the workers for course staff: jobs by state (from Redis), submissions waiting or
// grading per course (from the store; only the caller's courses), the workers alive with their
// slots, gradings finished lately and how long they took; once, or as server-sent events every 2 s.
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';

import { readableCourses } from '../../access/permissions.js';
import { staffRoutes } from '../../protocol/staff-routes.js';
import type { queueView } from '../../protocol/staff-schemas.js';
import { WorkerRoster } from '../../queue/worker-roster.js';
import { requireGlobalPermission } from '../access-checks.js';
import { HttpError } from '../http-errors.js';
import { keyOf } from '../auth.js';
import { serveRoute } from '../serve-route.js';
import { StreamSlots } from '../stream-slots.js';
import type { StaffContext } from './staff-context.js';

const EVERY_MS = 2000;
const MINUTE = 60_000;

/** What a read of Redis gives, or null when Redis does not answer (the page shows the store's part). */
async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch {
    return null;
  }
}

async function queueNow(ctx: StaffContext, roster: WorkerRoster, res: Response): Promise<z.infer<typeof queueView>> {
  const actor = requireGlobalPermission(res, 'queue.read');
  const readable = readableCourses(actor);
  const depth = (await ctx.store.queueDepthByCourse()).filter((d) => readable === 'all' || readable.includes(d.courseId));
  const at = Date.now();
  const [recent, hour] = [await ctx.store.gradingStats(new Date(at - 5 * MINUTE).toISOString()), await ctx.store.gradingStats(new Date(at - 60 * MINUTE).toISOString())];
  return {
    jobs: await orNull(() => ctx.jobCounts()),
    by_course: depth.map((d) => ({ course: d.courseId, queued: d.queued, running: d.running })),
    workers: (await orNull(() => roster.list()))?.map((w) => ({ id: w.id, slots: w.slots, busy: w.busy, cpus: w.cpus, started_at: w.startedAt, seen_at: w.seenAt })) ?? null,
    throughput: { last_5_minutes: recent.finished, last_hour: hour.finished },
    latency_ms: { p50: hour.latencyP50Ms, p95: hour.latencyP95Ms },
  };
}

async function streamQueue(ctx: StaffContext, roster: WorkerRoster, slots: StreamSlots, req: Request, res: Response): Promise<void> {
  await queueNow(ctx, roster, res); // the caller's rights, checked before the stream starts
  const release = slots.take(keyOf(res));
  if (!release) throw new HttpError(429, 'E_TOO_MANY_STREAMS', `you hold ${ctx.limits.streamsPerKey} open event streams already; close one`);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let closed = false;
  req.on('close', () => { closed = true; });
  const endAt = Date.now() + ctx.limits.streamMaxSeconds * 1000;
  try {
    for (let seq = 1; !closed && Date.now() < endAt; seq++) {
      res.write(`id: ${seq}\nevent: queue\ndata: ${JSON.stringify(await queueNow(ctx, roster, res))}\n\n`);
      await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
    }
  } finally {
    release();
    res.end();
  }
}

export function queueRoutes(ctx: StaffContext): Router {
  const router = Router();
  const roster = new WorkerRoster(ctx.redis, ctx.redisPrefix);
  const slots = new StreamSlots(ctx.limits.streamsPerKey);
  serveRoute(router, staffRoutes.queue, async (_req, res) => { res.json(await queueNow(ctx, roster, res)); });
  serveRoute(router, staffRoutes.queueEvents, (req, res) => streamQueue(ctx, roster, slots, req, res));
  return router;
}
