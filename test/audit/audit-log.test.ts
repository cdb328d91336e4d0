// gradebox's own audit log: appends keep the hash chain valid, across processes too, and verify names
// the first line that was edited, removed, reordered or forged.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { canonicalJson, GENESIS, sha256 } from '../../services/audit/audit-chain.js';
import { AuditLog, verifyAuditLog, type AuditEntry } from '../../services/audit/audit-log.js';
import { auditCommand, EXIT_BROKEN } from '../../services/cli/audit-command.js';
import { InternalError, UsageError, UserError } from '../../services/common/errors.js';
import { callCommand, rejectionOf } from '../support/helpers.js';

const dirs: string[] = [];
let log = '';

test.before.each(() => {
  const dir = mkdtempSync(join(tmpdir(), 'gradebox-audit-'));
  dirs.push(dir);
  log = join(dir, 'audit', 'audit.log');
});

test.after(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function writeEvents(count: number): Promise<void> {
  const audit = new AuditLog(log);
  for (let i = 1; i <= count; i++) await audit.append('violation', { syscall: 'ptrace', run: `run-${i}` });
}

function lines(): string[] {
  return readFileSync(log, 'utf8').split('\n').slice(0, -1);
}

function rewrite(change: (lines: string[]) => string[]): void {
  writeFileSync(log, change(lines()).map((line) => `${line}\n`).join(''));
}

function entry(line: string | undefined): AuditEntry {
  if (line === undefined) throw new Error('no such line');
  return JSON.parse(line) as AuditEntry;
}

/** A line with a correct hash of its own, as someone who knows the format would forge it. */
function forge(fields: Omit<AuditEntry, 'hash'>): string {
  return JSON.stringify({ ...fields, hash: sha256(canonicalJson(fields)) });
}

async function assertBroken(line: number, reason: string): Promise<void> {
  const result = await verifyAuditLog(log);
  assert.equal(result.ok ? result : { line: result.line }, { line }, JSON.stringify(result));
  if (!result.ok) assert.match(result.reason, reason);
}

test('appends chain each line to the one before and verify passes', async () => {
  await writeEvents(5);
  const written = lines();
  assert.is(written.length, 5);
  assert.is(entry(written[0]).prev, GENESIS);
  assert.equal(written.map((line) => entry(line).seq), [1, 2, 3, 4, 5]);
  for (let i = 1; i < 5; i++) assert.is(entry(written[i]).prev, sha256(written[i - 1] ?? ''));
  assert.equal(await verifyAuditLog(log), { ok: true, lines: 5, head: sha256(written[4] ?? '') });
});

test('an edited field names its line: hash mismatch', async () => {
  await writeEvents(5);
  rewrite((all) => all.map((line, i) => (i === 2 ? line.replace('"run-3"', '"run-x"') : line)));
  await assertBroken(3, 'hash mismatch');
});

test('an edited line with a recomputed hash breaks the next line', async () => {
  await writeEvents(5);
  rewrite((all) => all.map((line, i) => {
    if (i !== 2) return line;
    const { hash: _hash, ...fields } = entry(line);
    return forge({ ...fields, syscall: 'getpid' });
  }));
  await assertBroken(4, 'prev does not match line 3');
});

test('a removed line names the line after the gap', async () => {
  await writeEvents(5);
  rewrite((all) => all.filter((_, i) => i !== 2));
  await assertBroken(3, 'seq 4 follows seq 2');
});

test('a removed first line is reported on line 1', async () => {
  await writeEvents(3);
  rewrite((all) => all.slice(1));
  await assertBroken(1, 'prev is not 64 zeros');
});

test('reordered lines name the first moved line', async () => {
  await writeEvents(5);
  rewrite(([a = '', b = '', c = '', ...rest]) => [a, c, b, ...rest]);
  await assertBroken(2, 'removed, inserted or reordered');
});

test('a forged line appended without the right prev fails', async () => {
  await writeEvents(5);
  appendFileSync(log, `${forge({ seq: 6, time: new Date().toISOString(), type: 'policy.change', prev: sha256('made up') })}\n`);
  await assertBroken(6, 'prev does not match line 5');
});

test('a line that is not JSON, or an unfinished last line, is named', async () => {
  await writeEvents(3);
  rewrite((all) => all.map((line, i) => (i === 1 ? line.slice(0, -1) : line)));
  await assertBroken(2, 'not valid UTF-8 JSON');
  writeFileSync(log, '');
  await writeEvents(2);
  appendFileSync(log, '{"seq":3');
  await assertBroken(3, 'no newline');
});

test('append refuses to continue a log whose last line is unreadable (fail closed)', async () => {
  await writeEvents(2);
  appendFileSync(log, 'garbage\n');
  try {
    await new AuditLog(log).append('violation');
    assert.unreachable('append should have failed');
  } catch (error) {
    assert.ok(error instanceof InternalError);
    assert.is(error.code, 'E_AUDIT_LOG_CORRUPT');
  }
  assert.is(lines().length, 3);
});

test('an event may not overwrite the chain fields', async () => {
  try {
    await new AuditLog(log).append('violation', { seq: 99 });
    assert.unreachable('append should have failed');
  } catch (error) {
    assert.ok(error instanceof InternalError);
    assert.is(error.code, 'E_AUDIT_BAD_EVENT');
  }
});

test('concurrent appends in one process keep the chain valid', async () => {
  const audit = new AuditLog(log);
  await Promise.all(Array.from({ length: 20 }, (_, i) => audit.append('incident.step', { i })));
  assert.equal(await verifyAuditLog(log).then((r) => r.ok && r.lines), 20);
});

function appendFromChild(writer: number, count: number): Promise<void> {
  const module = new URL('../../services/audit/audit-log.js', import.meta.url).href;
  const script = `const { AuditLog } = await import(${JSON.stringify(module)});
const log = new AuditLog(process.argv[1]);
for (let i = 0; i < ${count}; i++) await log.append('incident.step', { writer: ${writer}, i });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, log], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${writer} exited ${code}: ${stderr}`))));
  });
}

test('concurrent appends from several processes keep the chain valid', async () => {
  const writers = 6;
  const each = 25;
  await Promise.all(Array.from({ length: writers }, (_, w) => appendFromChild(w, each)));
  const result = await verifyAuditLog(log);
  assert.equal(result.ok && result.lines, writers * each, JSON.stringify(result));
  const seen = lines().map((line) => entry(line)).map((e) => `${String(e.writer)}:${String(e.i)}`);
  assert.is(new Set(seen).size, writers * each);
});

function cli(argv: string[]): Promise<{ code: number; out: string }> {
  return callCommand(auditCommand, argv);
}

function rejection(argv: string[]): Promise<unknown> {
  return rejectionOf(cli(argv), `audit ${argv.join(' ')}`);
}

test('gradebox audit verify: exit 0 with ok, exit 3 naming the broken line', async () => {
  await writeEvents(4);
  const good = await cli(['verify', '--log', log]);
  assert.is(good.code, 0);
  assert.match(good.out, /^ok: 4 lines, head sha256:[0-9a-f]{64}\n$/);
  rewrite((all) => all.map((line, i) => (i === 2 ? line.replace('ptrace', 'mount') : line)));
  const bad = await cli(['verify', '--log', log]);
  assert.is(bad.code, EXIT_BROKEN);
  assert.is(bad.out, 'audit log broken at line 3: hash mismatch: the line was edited\n');
});

test('gradebox audit tail prints the last N lines as written', async () => {
  await writeEvents(4);
  const { code, out } = await cli(['tail', '--log', log, '-n', '2']);
  assert.is(code, 0);
  assert.is(out, `${lines().slice(2).join('\n')}\n`);
  assert.is((await cli(['tail', '--log', log])).out.split('\n').length - 1, 4);
});

test('gradebox audit: no log is a UserError, bad usage a UsageError', async () => {
  const missing = await rejection(['verify', '--log', log]);
  assert.ok(missing instanceof UserError && missing.code === 'E_AUDIT_LOG_MISSING', String(missing));
  for (const argv of [[], ['frob'], ['verify', 'extra'], ['verify', '-n', '3'], ['tail', '-n', '0'], ['tail', '-n', 'x'], ['verify', '--nope']]) {
    assert.ok((await rejection(argv)) instanceof UsageError, argv.join(' '));
  }
});

test.run();
