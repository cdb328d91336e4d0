// The production files keep their promises: the systemd units pass `systemd-analyze verify` (where
// this machine has it) and hold the hardening they claim; the Containerfiles run the API as a user
// and give the worker exactly the capabilities the Kubernetes manifest gives it; the manifests probe
// /readyz, keep a PodDisruptionBudget, let only the API be reached, let workers reach only Redis and
// the API, and scale the worker Deployment with KEDA on the queue's waiting jobs. What cannot run
// here (a cluster, an image build) is checked by parsing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

const infra = (...parts: string[]) => fromPackageRoot('infra', ...parts);
const read = (...parts: string[]) => readFileSync(infra(...parts), 'utf8');

/** A unit file's settings, each key with every value it is given. */
function unitSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z-]+)=(.*)$/.exec(line);
    if (match) settings.set(match[1]!, [...(settings.get(match[1]!) ?? []), match[2]!]);
  }
  return settings;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = { kind: string; metadata: { name: string }; spec: any };

function manifests(): Manifest[] {
  const files = ['api.yaml', 'worker.yaml', 'worker-scaler.yaml', 'data-services.yaml', 'network-policies.yaml'];
  return files.flatMap((file) => parseAllDocuments(read('kubernetes', file)).map((doc) => {
    assert.equal(doc.errors, [], `${file} parses`);
    return doc.toJS() as Manifest;
  }));
}

const find = (all: Manifest[], kind: string, name: string) => {
  const found = all.find((m) => m.kind === kind && m.metadata.name === name);
  assert.ok(found, `${kind} ${name} exists`);
  return found!;
};

test('systemd units: systemd-analyze verify finds nothing wrong (where systemd is installed)', () => {
  const probe = spawnSync('systemd-analyze', ['--version']);
  if (probe.error) {
    console.log('  skipped: systemd-analyze is not installed on this machine; the units are checked by parsing only');
    return;
  }
  const dir = tempDir();
  const units = ['gradebox-api.service', 'gradebox-worker.service'].map((unit) => {
    copyFileSync(infra('systemd', unit), join(dir, unit));
    return join(dir, unit);
  });
  const run = spawnSync('systemd-analyze', ['verify', '--man=no', ...units], { encoding: 'utf8' });
  // verify exits 0 even when it ignores a setting it cannot parse: its complaints name the file.
  const complaints = run.stderr.split('\n').filter((line) => line.includes(dir));
  assert.equal(complaints, [], `systemd-analyze verify:\n${run.stderr}`);
  assert.is(run.status, 0, run.stderr);
});

test('systemd units hold what they claim: an unprivileged, read-only API with credentials; a root worker with its cgroup delegated', () => {
  const api = unitSettings(read('systemd', 'gradebox-api.service'));
  assert.equal(api.get('User'), ['gradebox']);
  for (const [key, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['PrivateTmp', 'yes'], ['CapabilityBoundingSet', ''], ['AmbientCapabilities', '']]) {
    assert.equal(api.get(key!), [value], `gradebox-api ${key}=${value}`);
  }
  assert.equal(api.get('LoadCredential')!.map((c) => c.split(':')[0]).sort(), ['database-url', 'operator-token', 'redis-url']);
  assert.not.match(api.get('ExecStart')![0]!, /postgres:\/\/|redis:\/\//, 'no address (and password) on the command line');

  const worker = unitSettings(read('systemd', 'gradebox-worker.service'));
  assert.equal(worker.get('User'), ['root']);
  assert.equal(worker.get('Delegate'), ['yes']);
  assert.equal(worker.get('KillMode'), ['mixed']);
  const grace = Number(/--grace-ms (\d+)/.exec(worker.get('ExecStart')![0]!)![1]) / 1000;
  assert.ok(Number(worker.get('TimeoutStopSec')![0]) > grace, 'systemd waits past the worker\'s grace before SIGKILL');

  const redis = unitSettings(read('systemd', 'redis-gradebox.conf').replace(/^(\S+) (.*)$/gm, '$1=$2'));
  assert.equal(redis.get('maxmemory-policy'), ['noeviction']);
  assert.equal(redis.get('appendonly'), ['yes']);
  assert.equal(redis.get('appendfsync'), ['everysec']);
  assert.ok(redis.get('requirepass'), 'a password');
  assert.ok(redis.get('unixsocket') && redis.get('port')?.[0] === '0', 'a unix socket, no plain TCP');
});

/** A Containerfile's instructions of its last stage (continuation lines joined). */
function finalStage(text: string): Array<[string, string]> {
  const lines = text.replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const instructions = lines.map((l) => { const [op, ...rest] = l.trim().split(/\s+/); return [op!.toUpperCase(), rest.join(' ')] as [string, string]; });
  const lastFrom = instructions.map(([op]) => op).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

const WORKER_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID', 'SYS_ADMIN', 'SYS_PTRACE', 'SYS_RESOURCE'];

test('Containerfiles: the API runs as a user on 8080; the worker\'s listed privileges are the manifest\'s, without --privileged', () => {
  const api = finalStage(read('containers', 'api.Containerfile'));
  const user = api.filter(([op]) => op === 'USER').pop()?.[1];
  assert.ok(user && !/^(0|root)(:|$)/.test(user), `the API's image runs as a user, not root (USER ${user})`);
  assert.equal(api.filter(([op]) => op === 'EXPOSE').map(([, v]) => v), ['8080']);
  assert.match(api.find(([op]) => op === 'ENTRYPOINT')![1], 'dist/services/cli/main.js');

  const text = read('containers', 'worker.Containerfile');
  const run = /podman run([\s\S]*?)gradebox-worker:0\.1\.0 worker/.exec(text)![1]!;
  assert.equal(/--cap-add=(\S+)/.exec(run)![1]!.split(',').sort(), WORKER_CAPABILITIES);
  assert.match(run, '--cap-drop=ALL');
  assert.not.match(run, '--privileged');
  for (const why of WORKER_CAPABILITIES) assert.match(text, new RegExp(`^#.*\\b${why}\\b.*\\s{2}\\S`, 'm'), `${why} is justified`);
});

test('Kubernetes: API probes, worker privileges, PDBs, the network policies and the KEDA scaler', () => {
  const all = manifests();
  const api = find(all, 'Deployment', 'gradebox-api').spec.template.spec;
  const apiContainer = api.containers[0];
  assert.match(apiContainer.image, /^gradebox-api:/);
  assert.equal(apiContainer.ports.map((p: { containerPort: number }) => p.containerPort), [8080]);
  assert.equal(apiContainer.readinessProbe.httpGet.path, '/readyz');
  assert.is(api.securityContext.runAsNonRoot, true);
  assert.equal(apiContainer.securityContext.capabilities, { drop: ['ALL'] });
  assert.is(apiContainer.securityContext.allowPrivilegeEscalation, false);
  find(all, 'PodDisruptionBudget', 'gradebox-api');

  const workerPod = find(all, 'Deployment', 'gradebox-worker').spec.template.spec;
  const worker = workerPod.containers[0];
  assert.match(worker.image, /^gradebox-worker:/);
  assert.is(worker.securityContext.privileged, false);
  assert.equal(worker.securityContext.capabilities.drop, ['ALL']);
  assert.equal([...worker.securityContext.capabilities.add].sort(), WORKER_CAPABILITIES);
  assert.ok(!workerPod.hostNetwork && !workerPod.hostPID, 'no host network or PID namespace');
  assert.ok(workerPod.terminationGracePeriodSeconds > 120, 'the grace covers the worker\'s hand-back');

  const policies = all.filter((m) => m.kind === 'NetworkPolicy');
  const deny = policies.find((p) => p.metadata.name === 'default-deny')!;
  assert.equal(deny.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  // Only the API has an ingress rule open to any source.
  const openTo = policies.filter((p) => (p.spec.ingress ?? []).some((rule: { from?: unknown }) => rule.from === undefined)).map((p) => p.metadata.name);
  assert.equal(openTo, ['api']);
  const workerPolicy = policies.find((p) => p.metadata.name === 'worker')!;
  assert.equal(workerPolicy.spec.ingress, []);
  const reached = workerPolicy.spec.egress.map((rule: { to: Array<{ podSelector: { matchLabels: Record<string, string> } }> }) => rule.to[0]!.podSelector.matchLabels['app.kubernetes.io/component'] ?? rule.to[0]!.podSelector.matchLabels['k8s-app']);
  assert.equal(reached, ['redis', 'api', 'kube-dns']);

  const scaler = find(all, 'ScaledObject', 'gradebox-worker');
  assert.is(scaler.spec.scaleTargetRef.name, 'gradebox-worker');
  const trigger = scaler.spec.triggers[0];
  assert.is(trigger.type, 'prometheus');
  assert.match(trigger.metadata.query, /gradebox_queue_jobs\{state=~"waiting\|prioritized"\}/);
});

test.run();
