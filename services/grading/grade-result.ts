// Builds a grade's parts (its shape is services/protocol/grade-result.ts); the rules that decide a
// verdict live in verdicts.ts.
import type { IncidentNote, TestResult, Verdict } from '../protocol/grade-result.js';
import type { RunResult } from '../sandbox/sandbox.js';

/** What students see of a program's own output or a compiler's: capped. */
export const FEEDBACK_BYTES = 2048;

export function capped(text: string, limit = FEEDBACK_BYTES): string {
  return text.length > limit ? `${text.slice(0, limit)}\n[… cut at ${limit} bytes]` : text;
}

/** One graded test; hidden tests reveal nothing but their score. */
export function testResult(
  test: { name: string; points: number; visibility: string },
  verdict: Verdict,
  feedback: string,
  run: RunResult | null,
): TestResult {
  const passed = verdict === 'AC';
  return {
    name: test.name,
    score: passed ? test.points : 0,
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

/** The incident of a run, if it had one, as the operators' note. */
export function incidentNote(test: string, run: RunResult): IncidentNote | null {
  if (!run.violation || !run.incident) return null;
  const { evidence, sha256, id } = run.incident;
  return { test, syscall: run.violation.syscall, incident_id: id, evidence: evidence && sha256 ? { path: evidence, sha256 } : null };
}
