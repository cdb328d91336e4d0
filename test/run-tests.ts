// Runs every test file (dist/test/**/*.test.js) in its own process, one after another, and ends
// with one line "N passed, N failed". uvu hides errors thrown in hooks (its runner returns from a
// finally block), so a file's failures are counted as Total - Passed, and a file that ends without
// its summary, or with a non-zero exit and nothing failed, counts as one failure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The slowest file (the guest machine's, sandbox/other-hierarchy) takes under 3 minutes and gives
// its guest 6: past 8 minutes a file has hung.
const FILE_TIMEOUT_MS = 8 * 60 * 1000;
const testRoot = fileURLToPath(new URL('.', import.meta.url));

function findTestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTestFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  }).sort();
}

interface FileOutcome {
  passed: number;
  failed: number;
}

/** Removes a file's state directory; something still writing there after the file ended (a
 * process it did not stop) is a failure of that file: 1, else 0. */
function removeStateDir(stateDir: string, file: string): number {
  try {
    rmSync(stateDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    return 0;
  } catch (error) {
    process.stderr.write(`${file}: something kept writing to its state directory after it ended: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The file running now: in its own process group, which an interrupt of ours must end too. */
let running: ReturnType<typeof spawn> | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (running?.pid) {
      try {
        process.kill(-running.pid, 'SIGKILL');
      } catch {
        // it ended on its own
      }
    }
    process.exit(130);
  });
}

function runFile(file: string): Promise<FileOutcome> {
  // Each file gets its own state directory (layers, evidence), removed afterwards.
  const stateDir = mkdtempSync(join(tmpdir(), 'gradebox-test-'));
  return new Promise((resolve) => {
    // Its own process group, so that a file ended for hanging takes with it the servers it started
    // (an API or worker left running would go on beside the files after it).
    const child = spawn(process.execPath, ['--enable-source-maps', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GRADEBOX_STATE_DIR: stateDir },
      detached: true,
    });
    running = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk; process.stdout.write(chunk); });
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    const timer = setTimeout(() => {
      process.stderr.write(`\n${file}: timed out after ${FILE_TIMEOUT_MS / 1000} s\n`);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already
      }
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const leftBehind = removeStateDir(stateDir, file);
      // eslint-disable-next-line no-control-regex
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      // uvu's own summary is the last one (a failure message may quote another run's).
      const total = [...plain.matchAll(/Total:\s+(\d+)/g)].at(-1);
      const passed = [...plain.matchAll(/Passed:\s+(\d+)/g)].at(-1);
      if (!total || !passed) {
        process.stderr.write(`${file}: ended without a test summary (exit ${code})\n`);
        resolve({ passed: 0, failed: 1 + leftBehind });
        return;
      }
      const ok = Number(passed[1]);
      let failed = Number(total[1]) - ok;
      if (code !== 0 && failed === 0) {
        process.stderr.write(`${file}: exited with ${code} although every test passed (an error in a hook?)\n`);
        failed = 1;
      }
      resolve({ passed: ok, failed: failed + leftBehind });
    });
  });
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  // Words match the path below test/ (not the checkout's own path, which may contain any word).
  const files = findTestFiles(testRoot).filter((f) => filters.length === 0 || filters.some((s) => relative(testRoot, f).includes(s)));
  let passed = 0;
  let failed = 0;
  const failedFiles: string[] = [];
  for (const file of files) {
    process.stdout.write(`\n# ${relative(testRoot, file)}\n`);
    const started = performance.now();
    const outcome = await runFile(file);
    process.stdout.write(`# ${relative(testRoot, file)}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    passed += outcome.passed;
    failed += outcome.failed;
    if (outcome.failed) failedFiles.push(relative(testRoot, file));
  }
  if (files.length === 0) failed += 1;
  if (failedFiles.length) process.stdout.write(`\nfailed in: ${failedFiles.join(', ')}\n`);
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

void main();
