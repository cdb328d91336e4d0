// A Kattis package's custom output validator (or interactor): the one program in
// output_validators/ (legacy) or the program output_validator/ (2023-07 on), a single file or a
// folder, copied into the grader as the folder output_validator/, which gradebox builds once as
// the language its files name. Validators that bring their own build or run scripts are refused:
// gradebox builds programs itself, in its sandbox, with its languages' commands.
import { basename, join } from 'node:path';

import { UserError } from '../../common/errors.js';
import { copyEntry, entriesOf, kindOf } from './package-files.js';

/** Where the grader keeps it: grader.yaml's `dir:` of its custom_checker or interactor. */
export const VALIDATOR_FOLDER = 'output_validator';

function programOf(root: string): string {
  if (kindOf(root, 'output_validator') === 'folder') return 'output_validator';
  const programs = entriesOf(root, 'output_validators');
  if (programs.length === 1) return join('output_validators', programs[0]!);
  const found = programs.length === 0 ? 'none' : `${programs.length} (${programs.join(', ')})`;
  throw new UserError('E_KATTIS_INVALID', `${root}: problem.yaml asks for a custom validator, and output_validators/ holds ${found}; gradebox takes exactly one program there`);
}

/** Copies the validator into `out/output_validator/`. */
export function copyValidator(root: string, out: string): void {
  const program = programOf(root);
  const isFolder = kindOf(root, program) === 'folder';
  const names = isFolder ? entriesOf(root, program) : [];
  if (names.includes('build') || names.includes('run')) {
    throw new UserError('E_KATTIS_UNSUPPORTED', `${join(root, program)}: a validator with its own build or run script; gradebox builds validators itself: keep the C, C++, Python, Java, JavaScript or Go sources and drop the scripts`);
  }
  if (isFolder) copyEntry(root, program, out, VALIDATOR_FOLDER);
  else copyEntry(root, program, out, join(VALIDATOR_FOLDER, basename(program)));
}
