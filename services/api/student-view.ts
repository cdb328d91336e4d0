// What a course portal may show a student of a grading result: hidden tests reveal only their
// score, and operator-only fields (incidents, evidence paths, internal problems) never leave.
import type { GradeResult, TestResult } from '../grading/grade-result.js';

type HiddenTest = Pick<TestResult, 'name' | 'score' | 'max_score' | 'status' | 'visibility'>;

export type StudentResult = Omit<GradeResult, 'incidents' | 'internal_problems' | 'sandbox_launch_ms' | 'provenance' | 'tests'> & {
  tests: Array<TestResult | HiddenTest>;
  provenance: Omit<GradeResult['provenance'], 'grader_dir'>;
};

export function studentView(result: GradeResult): StudentResult {
  const { incidents: _incidents, internal_problems: _problems, sandbox_launch_ms: _launches, provenance, tests, ...rest } = result;
  const { grader_dir: _dir, ...publicProvenance } = provenance;
  return {
    ...rest,
    provenance: publicProvenance,
    tests: tests.map((t): TestResult | HiddenTest => (t.visibility === 'hidden'
      ? { name: t.name, score: t.score, max_score: t.max_score, status: t.status, visibility: t.visibility }
      : t)),
  };
}
