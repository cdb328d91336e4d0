// The HTTP backend against a real HTTP server: tars unpacked safely, graders checked by digest and
// cached, evidence uploaded with the worker token.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { InternalError } from '../../services/common/errors.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import type { ResultMessage } from '../../services/protocol/result-message.js';
import { HttpBackend } from '../../services/worker/http-backend.js';
import { RESULT_REFUSED } from '../../services/worker/result-delivery.js';
import { rejectionOf, removeTempDirs, tempDir } from '../support/helpers.js';
import { FakeApi } from './fake-api.js';
import { SUM_C, submissionsRoot } from './worker-fixtures.js';

const TOKEN = 'worker-token-123';
const PY = fromPackageRoot('graders', 'mean-python');
let api: FakeApi;
let digest: string;
let pyDigest: string;

test.before(async () => {
  digest = loadGrader(SUM_C).digest;
  pyDigest = loadGrader(PY).digest;
  const root = submissionsRoot({ s1: join(SUM_C, 'submissions', 'accepted.c'), evil: join(SUM_C, 'submissions', 'wrong.c') });
  // The API answers the python grader's digest with sum-c: the worker must notice.
  api = await FakeApi.start({ token: TOKEN, root, graders: { [digest]: SUM_C, [pyDigest]: SUM_C }, hostileSubmissions: ['evil'] });
});
test.after(async () => {
  await api.stop();
  removeTempDirs();
});

function backend(token = TOKEN): { backend: HttpBackend; cache: string } {
  const cache = tempDir('gbc-');
  return { backend: new HttpBackend({ apiUrl: `${api.url}/`, token, cacheDir: cache }), cache };
}

test("a submission's files arrive unpacked in the job's scratch folder", async () => {
  const scratch = tempDir();
  const dir = await backend().backend.submissionFiles('s1', scratch);
  assert.is(dir, join(scratch, 'submission'));
  assert.equal(readdirSync(dir), ['accepted.c']);
  assert.is(readFileSync(join(dir, 'accepted.c'), 'utf8'), readFileSync(join(SUM_C, 'submissions', 'accepted.c'), 'utf8'));
});

test('a tar with a symlink is refused as an internal failure, and nothing is followed', async () => {
  const scratch = tempDir();
  const error = await rejectionOf(backend().backend.submissionFiles('evil', scratch), 'a hostile tar');
  assert.instance(error, InternalError);
  assert.match((error as Error).message, /E_API_TAR|symbolic link/);
  assert.not.ok(existsSync(join(scratch, 'submission', 'link')));
});

test('a grader is fetched once, checked against its digest and then served from the cache', async () => {
  const { backend: http, cache } = backend();
  const before = api.requests.length;
  const [a, b] = await Promise.all([http.graderDir(digest), http.graderDir(digest)]);
  assert.is(a, join(cache, digest));
  assert.is(b, a);
  assert.is(loadGrader(a).digest, digest);
  assert.is(await http.graderDir(digest), a);
  assert.is(api.requests.slice(before).filter((r) => r.includes('/graders/')).length, 1, 'one download');
  assert.equal(readdirSync(cache), [digest], 'no partial folder left');
});

test('a grader whose content does not match the digest asked for is refused and not cached', async () => {
  const { backend: http, cache } = backend();
  const error = await rejectionOf(http.graderDir(pyDigest), 'a mismatched grader');
  assert.instance(error, InternalError);
  assert.match((error as Error).message, new RegExp(`the grader sent for digest ${pyDigest} has digest ${digest}`));
  assert.equal(readdirSync(cache), []);
});

test('evidence goes up with its sha256; a wrong token or an unknown path is an internal failure', async () => {
  const file = join(tempDir(), 'evidence.tar');
  writeFileSync(file, 'archive bytes');
  const sha = createHash('sha256').update('archive bytes').digest('hex');
  await backend().backend.uploadEvidence(sha, file);
  assert.is(api.evidence.get(sha)?.toString(), 'archive bytes');

  const denied = await rejectionOf(backend('wrong').backend.submissionFiles('s1', tempDir()), 'a wrong token');
  assert.instance(denied, InternalError);
  assert.match((denied as Error).message, /HTTP 401/);
  const missing = await rejectionOf(backend().backend.graderDir('f'.repeat(64)), 'an unknown grader');
  assert.match((missing as Error).message, /HTTP 404/);
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const down = new HttpBackend({ apiUrl: `http://127.0.0.1:${port}`, token: TOKEN, cacheDir: tempDir() });
  const unreachable = await rejectionOf(down.submissionFiles('s1', tempDir()), 'an API that is down');
  assert.is((unreachable as InternalError).code, 'E_API_UNREACHABLE');
  assert.match((unreachable as Error).message, /ECONNREFUSED/);
  const resultLost = await rejectionOf(down.sendResult({ type: 'started', submissionId: 's1', gradeNumber: 1, workerId: 'w:1', attempt: 1 }), 'a result for an API that is down');
  assert.is((resultLost as InternalError).code, 'E_API_UNREACHABLE', 'may pass: sent again');
});

test('a result message is POSTed as JSON and taken; a refusal is final, a server failure may pass', async () => {
  const received: ResultMessage[] = [];
  api.onResult = async (message) => { received.push(message); };
  const started: ResultMessage = { type: 'started', submissionId: 's1', gradeNumber: 2, workerId: 'host:7', attempt: 1 };
  await backend().backend.sendResult(started);
  assert.equal(received, [started]);
  const invalid = await rejectionOf(backend().backend.sendResult({ ...started, submissionId: 's 1' }), 'an invalid message');
  assert.is((invalid as InternalError).code, RESULT_REFUSED);
  assert.match((invalid as Error).message, /HTTP 400/);
  // A token being rotated is fixed by an operator, not by dropping the result.
  const wrongToken = await rejectionOf(backend('nope').backend.sendResult(started), 'a wrong token');
  assert.is((wrongToken as InternalError).code, 'E_API_STATUS');
  assert.match((wrongToken as Error).message, /HTTP 401/);
  api.resultStatus = 503;
  try {
    const busy = await rejectionOf(backend().backend.sendResult(started), 'a busy API');
    assert.is((busy as InternalError).code, 'E_API_STATUS');
  } finally {
    api.resultStatus = null;
  }
  assert.is(received.length, 1);
});

test.run();
