// The shape of a grade as it travels from a worker to the API and is stored (a superset of
// Gradescope's results.json), and its verdicts. Operators' fields are stripped before a student sees it
// (services/api/student-view.ts).

export const VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RE', 'CE', 'SV', 'IE'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** A type rather than an interface: an interface does not fit the open-ended schema of a shown test (api-schemas.ts). */
export type TestResult = {
  name: string;
  score: number;
  max_score: number;
  /** `not_run`: left out because an earlier test failed (the grader's stop_on_failure); no verdict then. */
  status: 'passed' | 'failed' | 'not_run';
  output: string;
  visibility: string;
  verdict: Verdict | null;
  cpu_ms: number;
  wall_ms: number;
  memory_kb: number;
  /** For staff only (students never get it): where a wrong answer's output parts from the expected one. */
  diff?: OutputDiff;
};

/** Excerpts of a test's expected output and the program's, from line `from_line`; the first difference is at `first_line`. */
export interface OutputDiff {
  first_line: number;
  from_line: number;
  expected: string;
  actual: string;
}

export interface Provenance {
  grader_digest: string;
  /** The language the submission was graded in (absent from results made before it was recorded). */
  language?: string;
  /** Where the grader was when this result was made: a hint for `gradebox reproduce`. */
  grader_dir: string;
  policy: { name: string; digest: string };
  build_policy: { name: string; digest: string } | null;
  runtime_layers_digest: string;
  limits_digest: string;
  seed: number;
  /** The entry file the submission named (an upload's `entry`, `gradebox grade --entry`); null: none. */
  entry: string | null;
  gradebox_version: string;
}

/** A policy violation during grading: for operators and the audit trail, never shown to students. */
export interface IncidentNote {
  test: string;
  syscall: string;
  incident_id: string;
  /** The archive, and the manifest of what it holds (per-file sha256) beside it. */
  evidence: { path: string; sha256: string; manifest?: string | null } | null;
  /** The security audit log's lines of the incident (the violation with the offender's facts, then each step). */
  audit?: Array<Record<string, unknown>>;
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
