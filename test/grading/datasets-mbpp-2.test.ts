// MBPP, part 2 of 2 (487 of the 974 tasks, in name order) imported as harness graders and graded
// through the real pipeline, two at a time: every reference solution gets AC with full marks, and
// with its functions returning None (every 4th task, to keep the suite short) it does not. Split in two so each file stays well inside the
// test runner's 10 minutes; together they take about 4-9 minutes on the 2-core VM (see the log line).
import { test } from 'uvu';

import { removeTempDirs } from '../support/helpers.js';
import { gradeDataset, MBPP_DATA, MBPP_REFERENCE_EXCEPTIONS } from './datasets-support.js';

test.after(removeTempDirs);

test('MBPP part 2 of 2: every reference gets AC with full marks; returning None (every 4th), none does', async () => {
  await gradeDataset({ dataset: 'mbpp', data: MBPP_DATA, referenceExceptions: MBPP_REFERENCE_EXCEPTIONS, noneExceptions: {}, brokenEvery: 4, part: { index: 2, of: 2 } });
});

test.run();
