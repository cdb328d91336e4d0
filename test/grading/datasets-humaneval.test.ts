// HumanEval, all 164 tasks imported as harness graders and graded through the real pipeline, two at
// a time: every reference solution gets AC with full marks, and with its function returning None
// it does not. Takes a minute or two.
import { test } from 'uvu';

import { removeTempDirs } from '../support/helpers.js';
import { gradeDataset, HUMANEVAL_DATA } from './datasets-support.js';

test.after(removeTempDirs);

test('HumanEval: every reference gets AC with full marks; returning None, none does', async () => {
  await gradeDataset({ dataset: 'humaneval', data: HUMANEVAL_DATA, referenceExceptions: {}, noneExceptions: {} });
});

test.run();
