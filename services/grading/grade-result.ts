// Builds a grade's parts (its shape is services/protocol/grade-result.ts); the rules that decide a
// verdict live in verdicts.ts.
import type { IncidentNote, TestResult, Verdict } from '../protocol/grade-result.js';
import type { RunResult } from '../sandbox/sandbox.js';

/** What students see of a program's own output or a compiler's: capped. */
export const FEEDBACK_BYTES = 2048;

export function capped(text: string, limit = FEEDBACK_BYTES): string {
  return text.length > limit ? `${text.slice(0, limit)}\n[… cut at ${limit} bytes]` : text;
}

/** One graded test; hidden tests reveal nothing but their score. `share`: the part of its points a
 * checker gave it (testlib's points), else all for AC and none otherwise. */
export function testResult(
  test: { name: string; points: number; visibility: string },
  verdict: Verdict,
  feedback: string,
  run: RunResult | null,
  share?: number,
): TestResult {
  const passed = verdict === 'AC';
  return {
    name: test.name,
    score: share !== undefined && verdict !== 'IE' ? test.points * share : passed ? test.points : 0,
    max_score: test.points,
    status: passed ? 'passed' : 'failed',
    output: test.visibility === 'hidden' ? '' : capped(feedback),
    visibility: test.visibility,
    verdict,
    cpu_ms: run?.cpu_ms ?? 0,
    wall_ms: run?.wall_ms ?? 0,
    memory_kb: run?.memory_kb ?? 0,
  };
}

/** What a test that did not run says: the grader stops at the first failing test. */
export const NOT_RUN_FEEDBACK = 'not run: an earlier test failed, and this grader stops at the first failure';

/** A test left out because an earlier one failed (stop_on_failure): no verdict, no points. */
export function notRunResult(test: { name: string; points: number; visibility: string }): TestResult {
  return {
    name: test.name, score: 0, max_score: test.points, status: 'not_run',
    output: test.visibility === 'hidden' ? '' : NOT_RUN_FEEDBACK,
    visibility: test.visibility, verdict: null, cpu_ms: 0, wall_ms: 0, memory_kb: 0,
  };
}

/** The incident of a run, if it had one, as the operators' note. */
export function incidentNote(test: string, run: RunResult): IncidentNote | null {
  if (!run.violation || !run.incident) return null;
  const { evidence, sha256, id, manifest, audit } = run.incident;
  return { test, syscall: run.violation.syscall, incident_id: id, evidence: evidence && sha256 ? { path: evidence, sha256, manifest } : null, audit };
}
