// Entry-name normalization and the duplicate rules of uploads: what passes, what is refused and why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { normalizeEntryName } from '../../services/intake/safe-names.js';
import { UploadBudget } from '../../services/intake/upload-budget.js';
import { UploadError } from '../../services/intake/upload-error.js';
import { resolveUploadLimits } from '../../services/intake/upload-limits.js';

const limits = resolveUploadLimits({ maxPathBytes: 64, maxPathDepth: 4 });

function refusedCode(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof UploadError) return `${error.code} ${error.status}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

test('ordinary relative paths pass; "." and empty segments are dropped, backslashes are separators', () => {
  const cases: Record<string, string> = {
    'main.c': 'main.c',
    'src/util/list.h': 'src/util/list.h',
    './src//a.c': 'src/a.c',
    'src\\win\\a.c': 'src/win/a.c',
    '.gitignore': '.gitignore',
    'a..b.txt': 'a..b.txt',
    'dir with space/ü.txt': 'dir with space/ü.txt',
  };
  for (const [raw, expected] of Object.entries(cases)) assert.is(normalizeEntryName(raw, limits), expected, raw);
});

test('Unicode names are normalized to NFC, so composed and decomposed spellings are one name', () => {
  const decomposed = 'cafe\u0301.py';
  assert.is(normalizeEntryName(decomposed, limits), 'caf\u00e9.py');
  const budget = new UploadBudget(limits);
  budget.claimFile(normalizeEntryName('caf\u00e9.py', limits));
  assert.is(refusedCode(() => budget.claimFile(normalizeEntryName(decomposed, limits))), 'E_UPLOAD_DUPLICATE 422');
});

test('traversal, absolute paths, drive letters and UNC paths are refused', () => {
  for (const raw of ['../x', 'a/../../x', 'a/..', '..\\x', 'a\\..\\..\\evil']) {
    assert.is(refusedCode(() => normalizeEntryName(raw, limits)), 'E_UPLOAD_NAME_TRAVERSAL 422', raw);
  }
  for (const raw of ['/etc/passwd', '//x', 'C:\\x', 'c:x', '\\\\server\\share\\x', '\\x']) {
    assert.is(refusedCode(() => normalizeEntryName(raw, limits)), 'E_UPLOAD_NAME_ABSOLUTE 422', raw);
  }
});

test('empty names, dot-only segments, control, direction and undecodable characters are refused', () => {
  for (const raw of ['', '.', './', 'a/./', 'src/', 'a\\']) assert.is(refusedCode(() => normalizeEntryName(raw, limits)), 'E_UPLOAD_NAME_EMPTY 422', raw);
  for (const raw of ['...', 'a/..../b', '.../x']) assert.is(refusedCode(() => normalizeEntryName(raw, limits)), 'E_UPLOAD_NAME_DOTS 422', raw);
  for (const raw of ['a\u0000b', 'new\nline', 'tab\t', 'del\u007f', 'c1\u0085', 'gpj.\u202eexe', 'bad\uFFFD']) {
    assert.is(refusedCode(() => normalizeEntryName(raw, limits)), 'E_UPLOAD_NAME_CHARACTERS 422', JSON.stringify(raw));
  }
});

test('a folder name may reduce to the root; a file name may not', () => {
  assert.is(normalizeEntryName('./', limits, 'directory'), '');
  assert.is(normalizeEntryName('src/', limits, 'directory'), 'src');
  assert.is(refusedCode(() => normalizeEntryName('./', limits, 'file')), 'E_UPLOAD_NAME_EMPTY 422');
});

test('path length and depth caps, and the 255-byte segment limit', () => {
  assert.is(normalizeEntryName('a/b/c/d', limits), 'a/b/c/d');
  assert.is(refusedCode(() => normalizeEntryName('a/b/c/d/e', limits)), 'E_UPLOAD_NAME_TOO_DEEP 422');
  assert.is(normalizeEntryName('x'.repeat(64), limits), 'x'.repeat(64));
  assert.is(refusedCode(() => normalizeEntryName('x'.repeat(65), limits)), 'E_UPLOAD_NAME_TOO_LONG 422');
  // 33 two-byte characters: 33 characters, 66 bytes, so the byte count decides.
  assert.is(refusedCode(() => normalizeEntryName('é'.repeat(33), limits)), 'E_UPLOAD_NAME_TOO_LONG 422');
  const wide = resolveUploadLimits({ maxPathBytes: 4096 });
  assert.is(refusedCode(() => normalizeEntryName('y'.repeat(256), wide)), 'E_UPLOAD_NAME_TOO_LONG 422');
});

test('refusal messages name the entry (escaped) and the fix', () => {
  try {
    normalizeEntryName('evil\u202e/../x', limits);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UploadError);
    const message = (error as UploadError).message;
    assert.ok(message.includes('"evil\\u202e/../x"'), message);
    assert.not.ok(message.includes('\u202e'), 'the raw direction character is not echoed');
    assert.ok(/rename/.test(message), message);
  }
});

test('duplicates: same name, case-only variants, a file used as a folder, folders spelt in two cases', () => {
  const refusedPair = (first: string, second: string): string => {
    const budget = new UploadBudget(limits);
    budget.claimFile(first);
    return refusedCode(() => budget.claimFile(second));
  };
  assert.is(refusedPair('a.c', 'a.c'), 'E_UPLOAD_DUPLICATE 422');
  assert.is(refusedPair('Main.java', 'main.java'), 'E_UPLOAD_DUPLICATE 422');
  assert.is(refusedPair('lib', 'lib/x.c'), 'E_UPLOAD_DUPLICATE 422');
  assert.is(refusedPair('lib/x.c', 'lib'), 'E_UPLOAD_DUPLICATE 422');
  assert.is(refusedPair('Src/a.c', 'src/b.c'), 'E_UPLOAD_DUPLICATE 422');
  const budget = new UploadBudget(limits);
  budget.claimFile('src/a.c');
  budget.claimFile('src/b.c');
  budget.claimFolder('src');
  budget.claimFolder('');
  assert.is(refusedCode(() => budget.claimFolder('src/a.c')), 'E_UPLOAD_DUPLICATE 422');
});

test('the budget refuses the chunk that would pass a cap, before it is counted', () => {
  const budget = new UploadBudget(resolveUploadLimits({ maxFileBytes: 10, maxTotalBytes: 15 }));
  budget.addBytes('a', 0, 10);
  assert.is(refusedCode(() => budget.addBytes('a', 10, 1)), 'E_UPLOAD_FILE_TOO_LARGE 413');
  budget.addBytes('b', 0, 5);
  assert.is(refusedCode(() => budget.addBytes('c', 0, 1)), 'E_UPLOAD_TOTAL_TOO_LARGE 413');
  let compressed = 10;
  const ratio = new UploadBudget(resolveUploadLimits({ maxCompressionRatio: 3, ratioGraceBytes: 20 }), () => compressed);
  ratio.addBytes('z', 0, 30);
  assert.is(refusedCode(() => ratio.addBytes('z', 30, 1)), 'E_UPLOAD_ARCHIVE_RATIO 413');
  compressed = 11;
  ratio.addBytes('z', 30, 3);
});

test.run();
