// Helpers shared by the subcommands for strict flag parsing with clear messages.
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { UsageError } from '../common/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs in strict mode, with its errors turned into UsageErrors that name the flag. */
export function parseFlags<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals, tokens: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** A flag's value as a whole number; undefined when the flag was not given. */
export function integerFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${flag} needs a whole number, got "${value}"`);
  return Number(value);
}
