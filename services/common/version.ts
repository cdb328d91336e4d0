// gradebox's own version, from package.json (recorded in every result's provenance).
import { readFileSync } from 'node:fs';

import { fromPackageRoot } from './package-root.js';

let version: string | undefined;

export function gradeboxVersion(): string {
  version ??= (JSON.parse(readFileSync(fromPackageRoot('package.json'), 'utf8')) as { version: string }).version;
  return version;
}
