// The service end to end, as a course portal uses it: `gradebox start` with real Redis, the API
// on loopback HTTP and a worker pool; every example grader's sample submissions graded with
// the verdicts they must get (with their entry files), or refused at upload when they never can be; events in order; idempotent uploads; bad uploads leave nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { CLI, startLocalService, type LocalService } from '../../services/bench/local-service.js';
import { readSubmission, uploadSubmission, waitUntilGraded, type UploadAnswer } from '../../services/bench/portal-client.js';
import { expectedGradings, shownFeedback } from '../support/expected-gradings.js';

let service: LocalService;

test.before(async () => {
  service = await startLocalService({ workers: 2 });
});
test.after(async () => {
  await service?.stop();
});

const GRADERS = fromPackageRoot('graders');

/** A sample submission as the portal sends it: one file, or every file of a folder by its relative path. */
function submissionFiles(path: string): Record<string, Buffer> {
  if (!statSync(path).isDirectory()) return { [path.split('/').pop()!]: readFileSync(path) };
  const files: Record<string, Buffer> = {};
  for (const name of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
    if (statSync(join(path, name)).isFile()) files[name] = readFileSync(join(path, name));
  }
  return files;
}

test('every example grader: each sample submission gets its expected verdict through the service, or the refusal of an upload that can never be graded', async () => {
  const pending: Array<{ label: string; id: string; verdict: string; feedback: string | undefined }> = [];
  // The demo course's assignments: every folder of graders/ with a grader.yaml (graders/kattis/ holds packages).
  for (const grader of readdirSync(GRADERS).sort().filter((name) => existsSync(join(GRADERS, name, 'grader.yaml')))) {
    for (const expected of expectedGradings(join(GRADERS, grader))) {
      const label = `${grader}/${expected.label}`;
      const fields = { assignment: grader, student: 's1', ...(expected.entry ? { entry: expected.entry } : {}) };
      const sent = await uploadSubmission(service, fields, submissionFiles(expected.submission));
      if (expected.upload) {
        assert.equal([sent.status, sent.body.error?.code], [422, expected.upload], `${label}: ${JSON.stringify(sent.body)}`);
        continue;
      }
      assert.is(sent.status, 202, `${label}: ${JSON.stringify(sent.body)}`);
      assert.is(sent.body.status, 'queued');
      pending.push({ label, id: sent.body.id!, verdict: expected.verdict, feedback: expected.feedback });
    }
  }
  for (const { label, id, verdict, feedback } of pending) {
    const done = await waitUntilGraded(service, id, 300_000);
    assert.is(done.status, 'graded', `${label}: ${JSON.stringify(done)}`);
    assert.is(done.result.verdict, verdict, `${label}: ${JSON.stringify(done.result.tests)}`);
    if (feedback) assert.ok(shownFeedback(done.result).includes(feedback), `${label}: the student sees ${JSON.stringify(done.result)}`);
    assert.ok(Date.parse(done.updated_at) >= Date.parse(done.created_at), `${label}: graded at ${done.updated_at}, after ${done.created_at}`);
    assert.not.ok('incidents' in done.result, 'operator-only fields stay in the API');
    assert.not.ok('grader_dir' in done.result.provenance);
    for (const t of done.result.tests) if (t.visibility === 'hidden') assert.equal(Object.keys(t).sort(), ['max_score', 'name', 'score', 'status', 'visibility']);
  }
});

test('server-sent events arrive in order: queued, running, the tests as they are judged (a grading that takes a while), graded', async () => {
  const sent = await uploadSubmission(service, { assignment: 'sum-c', student: 's2' }, { 'main.c': readFileSync(join(GRADERS, 'sum-c', 'submissions', 'accepted.c')) });
  const response = await fetch(`${service.url}/v1/submissions/${sent.body.id}/events`, { headers: { authorization: `Bearer ${service.key}` } });
  assert.is(response.headers.get('content-type'), 'text/event-stream');
  const text = await response.text(); // the stream ends after the graded event
  const events = [...text.matchAll(/^id: (\d+)\nevent: (\w+)\ndata: (.*)$/gm)].map((m) => ({ id: Number(m[1]), type: m[2], data: JSON.parse(m[3]!) }));
  const types = events.map((e) => e.type);
  assert.equal(types.filter((type) => type !== 'test'), ['queued', 'running', 'graded']);
  assert.ok(types.slice(2, -1).every((type) => type === 'test'), types.join(' '));
  assert.equal(events.map((e) => e.id), events.map((_e, i) => i + 1));
  const graded = events.at(-1)!;
  assert.is(graded.data.verdict, 'AC');
  assert.is(graded.data.result.verdict, 'AC', 'the graded event carries the result as the student sees it');
  // Resuming after the event before the last gives only the last.
  const resumed = await fetch(`${service.url}/v1/submissions/${sent.body.id}/events`, { headers: { authorization: `Bearer ${service.key}`, 'last-event-id': String(graded.id - 1) } });
  assert.match(await resumed.text(), new RegExp(`^id: ${graded.id}\nevent: graded\n`));
});

test('the same Idempotency-Key twice gives one submission; a regrade grades it again', async () => {
  const files = { 'main.c': readFileSync(join(GRADERS, 'sum-c', 'submissions', 'wrong.c')) };
  const first = await uploadSubmission(service, { assignment: 'sum-c', student: 's3' }, files, { 'idempotency-key': 'portal-attempt-77' });
  const second = await uploadSubmission(service, { assignment: 'sum-c', student: 's3' }, files, { 'idempotency-key': 'portal-attempt-77' });
  assert.is(first.status, 202);
  assert.is(second.status, 202);
  assert.is(second.body.id, first.body.id);
  assert.is((await waitUntilGraded(service, first.body.id!)).result.verdict, 'WA');
  const regrade = await fetch(`${service.url}/v1/submissions/${first.body.id}/regrade`, { method: 'POST', headers: { authorization: `Bearer ${service.key}` } });
  assert.is(regrade.status, 202);
  // The event stream replays the first grading and ends only with the regrade's outcome.
  const stream = await fetch(`${service.url}/v1/submissions/${first.body.id}/events`, { headers: { authorization: `Bearer ${service.key}` } });
  const graded = [...(await stream.text()).matchAll(/^event: graded\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { gradeNumber: number });
  assert.equal(graded.map((e) => e.gradeNumber), [1, 2]);
  const again = await waitUntilGraded(service, first.body.id!);
  assert.is(again.result.verdict, 'WA');
});

/** Rows and files the store holds: what a refused upload must not change. */
function storeFootprint(): { submissions: number; blobs: number; staging: number } {
  const db = new Database(join(service.dataDir, 'gradebox.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const count = (dir: string): number => {
      try {
        return readdirSync(dir, { recursive: true }).length;
      } catch {
        return 0;
      }
    };
    return {
      submissions: (db.prepare('SELECT count(*) AS n FROM submissions').get() as { n: number }).n,
      blobs: count(join(service.dataDir, 'blobs')),
      staging: count(join(service.dataDir, 'staging')),
    };
  } finally {
    db.close();
  }
}

test("the workers' result route: token required, an invalid message refused with its reason, one outcome per grading however often sent", async () => {
  const sent = await uploadSubmission(service, { assignment: 'sum-c', student: 's9' }, { 'main.c': readFileSync(join(GRADERS, 'sum-c', 'submissions', 'accepted.c')) });
  const graded = await waitUntilGraded(service, sent.body.id!, 120_000);
  assert.is(graded.result.verdict, 'AC');
  const token = readFileSync(join(service.dataDir, 'worker-token'), 'utf8').trim();
  const post = (body: unknown, auth = token) => fetch(`${service.url}/internal/v1/results`, {
    method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const late = {
    type: 'finished', submissionId: sent.body.id, gradeNumber: 1, incidents: [],
    result: { score: 0, max_score: 1, verdict: 'WA', gradable: true, tests: [{ name: 't', verdict: 'WA' }], provenance: { grader_digest: 'a'.repeat(64) } },
  };
  assert.is((await post(late, 'not-the-token')).status, 401);
  const invalid = await post({ type: 'finished', submissionId: sent.body.id, gradeNumber: 1 });
  assert.is(invalid.status, 400);
  const refusal = await invalid.json() as { error: { code: string; message: string } };
  assert.is(refusal.error.code, 'E_BAD_RESULT');
  assert.match(refusal.error.message, /invalid: result\b/, 'names the missing field');
  // A worker recovered after a crash sends its grading's outcome again: the first one stays.
  assert.is((await post(late)).status, 204);
  assert.is((await readSubmission(service, sent.body.id!)).result.verdict, 'AC');
  const unknown = await post({ ...late, submissionId: 'sub_nothere' });
  assert.is(unknown.status, 404, 'refused for good: the worker does not send it again');
});

test('bad uploads get a clear 4xx with a JSON error and leave nothing behind', async () => {
  const before = storeFootprint();
  const code = (r: UploadAnswer) => r.body.error?.code;
  const source = { 'main.c': 'int main(void) { return 0; }\n' };

  const missing = await uploadSubmission(service, { student: 's4' }, source);
  assert.equal([missing.status, code(missing)], [400, 'E_MISSING_FIELD']);
  assert.match(missing.body.error?.message ?? '', /"assignment"/);
  const unknown = await uploadSubmission(service, { assignment: 'nope', student: 's4' }, source);
  assert.equal([unknown.status, code(unknown)], [404, 'E_UNKNOWN_ASSIGNMENT']);
  const wrongKey = await uploadSubmission({ url: service.url, key: 'gbx_not_a_key' }, { assignment: 'sum-c', student: 's4' }, source);
  assert.equal([wrongKey.status, code(wrongKey)], [401, 'E_UNAUTHORIZED']);

  const traversal = await uploadSubmission(service, { assignment: 'sum-c', student: 's4' }, { '../../escape.c': 'x' });
  assert.ok(traversal.status === 422 || traversal.status === 400, JSON.stringify(traversal.body));
  const tooBig = await uploadSubmission(service, { assignment: 'sum-c', student: 's4' }, { 'big.c': Buffer.alloc(30 * 1024 * 1024, 0x61) });
  assert.is(tooBig.status, 413);
  const notMultipart = await fetch(`${service.url}/v1/submissions`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${service.key}`, 'content-type': 'application/json' } });
  assert.is(notMultipart.status, 415);
  assert.ok(((await notMultipart.json()) as { error: { message: string } }).error.message.length > 10);

  // A key of another course: that course has no such assignment, and cannot see demo's submissions.
  execFileSync(process.execPath, [CLI, 'courses', 'add', 'other', '--data', service.dataDir], { stdio: 'ignore' });
  const otherKey = execFileSync(process.execPath, [CLI, 'keys', 'create', '--course', 'other', '--data', service.dataDir], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const other = { url: service.url, key: otherKey };
  const cross = await uploadSubmission(other, { assignment: 'sum-c', student: 's4' }, source);
  assert.equal([cross.status, code(cross)], [404, 'E_UNKNOWN_ASSIGNMENT']);
  const ours = await uploadSubmission(service, { assignment: 'sum-c', student: 's4' }, source);
  const peek = await readSubmission(other, ours.body.id!);
  assert.is(peek.error.code, 'E_NOT_FOUND');

  const after = storeFootprint();
  assert.is(after.submissions, before.submissions + 1, 'only the good upload was stored');
  assert.is(after.staging, 0, 'no staging folder left');
  assert.ok(after.blobs <= before.blobs + 3, `blobs: ${before.blobs} → ${after.blobs}`);
});

type LogLine = Record<string, unknown>;

/** The service's JSON log lines (the API's and the workers', as `gradebox start` passes them on). */
function logLines(): LogLine[] {
  return service.output().split('\n').filter((line) => line.startsWith('{')).flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return []; // a line cut where the pipe's chunk ended: the next look reads it whole
    }
  });
}

/** The log lines once `wanted` finds what it looks for in them (lines come through a pipe, a little after the answers). */
async function linesOnce(wanted: (lines: LogLine[]) => boolean, what: string): Promise<LogLine[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = logLines();
    if (wanted(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`not logged in 10 s: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The worker's lines about one grading (its job id is `<submission>.<grade number>`). */
const workerLinesOf = (lines: LogLine[], job: string): LogLine[] => lines.filter((l) => l.name === 'gradebox-worker' && l.job === job);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('X-Request-Id: the upload\'s id is on the API\'s lines and every worker line of its grading, a regrade\'s own on its grading; never a metric label', async () => {
  const files = { 'main.c': readFileSync(join(GRADERS, 'sum-c', 'submissions', 'wrong.c')) };
  const sent = await uploadSubmission(service, { assignment: 'sum-c', student: 's9' }, files, { 'x-request-id': 'r-123' });
  assert.is(sent.status, 202, JSON.stringify(sent.body));
  const id = sent.body.id!;
  await waitUntilGraded(service, id);
  const regrade = await fetch(`${service.url}/v1/submissions/${id}/regrade`, { method: 'POST', headers: { authorization: `Bearer ${service.key}`, 'x-request-id': 'r-124' } });
  assert.equal([regrade.status, regrade.headers.get('x-request-id')], [202, 'r-124'], 'the id is echoed');
  await waitUntilGraded(service, id);

  const apiGraded = (lines: LogLine[], grade: number) => lines.find((l) => l.name === 'gradebox-api' && l.msg === 'graded' && l.submission === id && l.grade === grade);
  const workerGraded = (lines: LogLine[], job: string) => workerLinesOf(lines, job).some((l) => l.msg === 'graded');
  const lines = await linesOnce((all) => Boolean(apiGraded(all, 2)) && workerGraded(all, `${id}.2`) && workerGraded(all, `${id}.1`), 'both gradings');
  const accepted = lines.find((l) => l.name === 'gradebox-api' && l.msg === 'submission accepted' && l.submission === id);
  assert.is(accepted?.request_id, 'r-123', JSON.stringify(accepted));
  assert.is(apiGraded(lines, 1)?.request_id, 'r-123', 'the API\'s line of the worker\'s result');
  assert.is(apiGraded(lines, 2)?.request_id, 'r-124');
  for (const [job, requestId] of [[`${id}.1`, 'r-123'], [`${id}.2`, 'r-124']] as const) {
    const worker = workerLinesOf(lines, job);
    assert.ok(worker.some((l) => l.msg === 'grading') && worker.some((l) => l.msg === 'graded'), `the worker logged grading ${job}`);
    assert.equal(worker.filter((l) => l.request_id !== requestId), [], `every worker line of ${job} carries ${requestId}`);
  }
  const operatorToken = readFileSync(join(service.dataDir, 'operator-token'), 'utf8').trim();
  const metrics = await (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${operatorToken}` } })).text();
  assert.not.match(metrics, 'r-123');
});

test('request-id-hostile: an X-Request-Id too long or holding a control character is replaced by a new id, and is never logged', async () => {
  const tooLong = `r-${'x'.repeat(300)}`;
  const files = { 'main.c': readFileSync(join(GRADERS, 'sum-c', 'submissions', 'wrong.c')) };
  const sent = await uploadSubmission(service, { assignment: 'sum-c', student: 's10' }, files, { 'x-request-id': tooLong });
  assert.is(sent.status, 202, JSON.stringify(sent.body));
  const id = sent.body.id!;
  await waitUntilGraded(service, id);
  const withTab = await fetch(`${service.url}/v1/submissions/${id}`, { headers: { authorization: `Bearer ${service.key}`, 'x-request-id': 'r-1\t{"level":60}' } });
  assert.is(withTab.status, 200);
  assert.match(withTab.headers.get('x-request-id') ?? '', UUID, 'a new id is echoed');

  const lines = await linesOnce((all) => workerLinesOf(all, `${id}.1`).some((l) => l.msg === 'graded'), 'the grading');
  const given = lines.find((l) => l.msg === 'submission accepted' && l.submission === id)?.request_id;
  assert.match(String(given), UUID);
  assert.ok(workerLinesOf(lines, `${id}.1`).every((l) => l.request_id === given), 'the new id goes with the grading');
  assert.not.ok(service.output().includes('x'.repeat(300)), 'the long header is not logged');
  assert.not.ok(service.output().includes('"level":60}'), 'nor the one with a tab');
});

test('health, readiness, metrics and the OpenAPI document', async () => {
  assert.equal(await (await fetch(`${service.url}/healthz`)).json(), { status: 'ok' });
  assert.equal(await (await fetch(`${service.url}/readyz`)).json(), { status: 'ready' });
  // /metrics is the operators': refused without their token (covered in test/api/service-limits.test.ts).
  const operatorToken = readFileSync(join(service.dataDir, 'operator-token'), 'utf8').trim();
  const metrics = await (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${operatorToken}` } })).text();
  for (const name of ['gradebox_queue_jobs{state="active"}', 'gradebox_workers 1', 'gradebox_jobs_graded_total{verdict="AC"}',
    'gradebox_grading_duration_seconds_bucket', 'gradebox_sandbox_launch_duration_seconds_bucket', 'gradebox_violations_total']) {
    assert.ok(metrics.includes(name), `${name} in /metrics`);
  }
  assert.match(metrics, /gradebox_violations_total [1-9]/, 'the forbidden-syscall samples were counted');
  const doc = await (await fetch(`${service.url}/openapi.json`)).json() as { openapi: string; paths: Record<string, unknown> };
  assert.is(doc.openapi, '3.1.0');
  for (const path of ['/v1/submissions', '/v1/submissions/{id}', '/v1/submissions/{id}/events', '/v1/submissions/{id}/regrade', '/healthz', '/readyz', '/metrics']) assert.ok(path in doc.paths, path);
  const unknown = await fetch(`${service.url}/v2/nothing`);
  assert.is(unknown.status, 404);
  assert.is(((await unknown.json()) as { error: { code: string } }).error.code, 'E_NO_ROUTE');
});

test.run();
