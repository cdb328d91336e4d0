// What operators watch is what the API exports: every metric that infra/grafana/gradebox.json,
// infra/prometheus/rules.yml and the KEDA ScaledObject use exists in a real API's /metrics; and the
// metrics count what they say (open submissions by course, retries, incidents by policy and syscall,
// upload-to-graded by language and verdict, worker slots from the workers' reports).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, parseAllDocuments } from 'yaml';

import { fromPackageRoot } from '../../services/common/package-root.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { connectRedis } from '../../services/queue/redis-connection.js';
import { WorkerRoster } from '../../services/queue/worker-roster.js';
import { until } from '../support/queue-fixtures.js';
import { COURSE, postResult, testApiPerFile, uploadOne, type TestApi } from '../support/api-fixtures.js';

let redis: PrivateRedis;
let api: TestApi;
testApiPerFile(test, (startedApi, startedRedis) => { api = startedApi; redis = startedRedis; });

async function scrape(): Promise<string> {
  const token = readFileSync(`${api.dataDir}/operator-token`, 'utf8').trim();
  const response = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.is(response.status, 200);
  return response.text();
}

/** The metric families an expression names (a histogram's _bucket/_sum/_count are its family). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bgradebox_[a-z0-9_]+/g)].map(([name]) => name.replace(/_(bucket|sum|count)$/, ''));
}

/** Every PromQL expression of the dashboard, the rules and the KEDA triggers. */
function operatorExpressions(): Array<{ where: string; expr: string }> {
  const found: Array<{ where: string; expr: string }> = [];
  const dashboard = JSON.parse(readFileSync(fromPackageRoot('infra', 'grafana', 'gradebox.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
  for (const panel of dashboard.panels) for (const target of panel.targets) found.push({ where: `dashboard panel "${panel.title}"`, expr: target.expr });
  const rules = parse(readFileSync(fromPackageRoot('infra', 'prometheus', 'rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
  for (const group of rules.groups) for (const rule of group.rules) found.push({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr });
  for (const doc of parseAllDocuments(readFileSync(fromPackageRoot('infra', 'kubernetes', 'worker-scaler.yaml'), 'utf8'))) {
    const object = doc.toJS() as { kind: string; spec: { triggers: Array<{ type: string; metadata: { query: string } }> } };
    if (object.kind !== 'ScaledObject') continue;
    for (const trigger of object.spec.triggers) if (trigger.type === 'prometheus') found.push({ where: 'KEDA ScaledObject', expr: trigger.metadata.query });
  }
  return found;
}

test('every metric the dashboard, the alerts and the KEDA scaler use is exported by the API', async () => {
  const exported = new Set([...(await scrape()).matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name));
  const expressions = operatorExpressions();
  assert.ok(expressions.length >= 20, `the files were read (${expressions.length} expressions)`);
  const alerts = expressions.filter((e) => e.where.startsWith('rule Gradebox')).map((e) => e.where);
  assert.equal(alerts.sort(), [
    'rule GradeboxDeliveryFailures', 'rule GradeboxGradingLatencySLO', 'rule GradeboxIncidentRate', 'rule GradeboxLtiPassbackFailures',
    'rule GradeboxNoWorkerAlive', 'rule GradeboxQueueBackingUp', 'rule GradeboxWebhookDeliveryFailures',
  ]);
  for (const { where, expr } of expressions) {
    const names = metricsIn(expr);
    assert.ok(names.length > 0, `${where} uses a gradebox metric: ${expr}`);
    for (const name of names) assert.ok(exported.has(name), `${where} uses ${name}, which /metrics does not have`);
  }
});

test('the metrics count open submissions by course, retries, incidents, upload-to-graded and the workers\' slots', async () => {
  const id = await uploadOne(api);
  assert.match(await scrape(), `gradebox_submissions_open{course="${COURSE}",status="queued"} 1`);
  assert.is(await postResult(api, { type: 'started', submissionId: id, gradeNumber: 1, workerId: 'w1', attempt: 1 }), 204);
  assert.is(await postResult(api, { type: 'started', submissionId: id, gradeNumber: 1, workerId: 'w2', attempt: 2 }), 204);
  assert.is(await postResult(api, { type: 'started', submissionId: id, gradeNumber: 1, workerId: 'w2', attempt: 2 }), 204); // at least once: counted once
  const running = await scrape();
  assert.match(running, `gradebox_submissions_open{course="${COURSE}",status="running"} 1`);
  assert.match(running, /^gradebox_grading_retries_total 1$/m);
  const result = {
    score: 0, max_score: 1, verdict: 'SV', gradable: true, execution_time: 0.5, sandbox_launch_ms: [4],
    tests: [{ name: 't', verdict: 'SV', wall_ms: 30 }],
    provenance: { grader_digest: 'a'.repeat(64), language: 'c', policy: { name: 'default', digest: 'b'.repeat(64) } },
  };
  const incidents = [{ test: 't', syscall: 'ptrace', incidentId: 'inc-1', evidenceSha256: null }];
  assert.is(await postResult(api, { type: 'finished', submissionId: id, gradeNumber: 1, result, incidents }), 204);
  const worker = connectRedis(redis.url, { profile: 'api', name: 'test-slots' });
  await until(() => worker.status === 'ready', 5000, 'the worker\'s connection');
  const roster = new WorkerRoster(worker, api.queuePrefix);
  const at = new Date().toISOString();
  await roster.announce({ id: 'w2', slots: 4, busy: 1, cpus: '0-3', startedAt: at, seenAt: at });
  const stop = () => void roster.remove('w2');
  try {
    const graded = await scrape();
    assert.not.match(graded, 'gradebox_submissions_open{', 'no open submission left: no stale course line');
    assert.match(graded, /^gradebox_incidents_total\{policy="default",syscall="ptrace"\} 1$/m);
    assert.match(graded, /^gradebox_upload_to_graded_seconds_count\{language="c",verdict="SV"\} 1$/m);
    assert.match(graded, /^gradebox_sandbox_run_duration_seconds_count 1$/m);
    assert.match(graded, /^gradebox_jobs_graded_total\{verdict="SV"\} 1$/m);
    assert.match(graded, /^gradebox_worker_slots\{state="free"\} 3$/m);
    assert.match(graded, /^gradebox_worker_slots\{state="busy"\} 1$/m);
    assert.match(graded, /^gradebox_deliveries_total\{channel="outbox",outcome="delivered"\} 1$/m);
    assert.not.match(graded, id, 'no submission id in a label');
  } finally {
    stop();
    worker.disconnect();
  }
});

test.run();
