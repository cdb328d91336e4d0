// The shape of a grade (a superset of Gradescope's results.json) and the builders of its parts;
// the rules that decide a verdict live in verdicts.ts.
import type { RunResult } from '../sandbox/sandbox.js';

export const VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RE', 'CE', 'SV', 'IE'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface TestResult {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  visibility: string;
  verdict: Verdict;
  cpu_ms: number;
  wall_ms: number;
  memory_kb: number;
}

export interface Provenance {
  grader_digest: string;
  /** Where the grader was when this result was made: a hint for `gradebox reproduce`. */
  grader_dir: string;
  policy: { name: string; digest: string };
  build_policy: { name: string; digest: string } | null;
  runtime_layers_digest: string;
  limits_digest: string;
  seed: number;
  gradebox_version: string;
}

/** A policy violation during grading: for operators and the audit trail, never shown to students. */
export interface IncidentNote {
  test: string;
  syscall: string;
  incident_id: string;
  evidence: { path: string; sha256: string } | null;
}

export interface GradeResult {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  tests: TestResult[];
  verdict: Verdict;
  gradable: boolean;
  provenance: Provenance;
  /** For operators only (the API strips it): violations and their evidence. */
  incidents: IncidentNote[];
  /** For operators only: why a test is IE (the sandbox or a grader's checker failed). */
  internal_problems: string[];
  /** For operators only: per sandboxed run, the time beyond the program's own (setup, teardown), ms. */
  sandbox_launch_ms: number[];
}

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
