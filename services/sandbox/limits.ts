// Resource limits of one sandboxed run: defaults, allowed ranges, and validation with clear errors.
import { UserError } from '../common/errors.js';

export interface Limits {
  /** CPU time of all processes together, ms. @defaultValue 5000 */
  cpuMs: number;
  /** Wall-clock time, ms. @defaultValue 15000 */
  wallMs: number;
  /** Memory including swap and tmpfs files, MiB. @defaultValue 512 */
  memoryMb: number;
  /** Processes and threads. @defaultValue 128 */
  pids: number;
  /** Bytes kept per output stream (stdout, stderr), KiB; more ends the run. @defaultValue 1024 */
  outputKb: number;
  /** Largest file the program may write, KiB. @defaultValue 65536 */
  fsizeKb: number;
  /** Open file descriptors per process. @defaultValue 256 */
  openFiles: number;
  /** Stack size, KiB. @defaultValue 65536 */
  stackKb: number;
  /** CPUs to pin the run to (cpuset list, e.g. "1"); undefined: no pin. */
  cpuset?: string | undefined;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  cpuMs: 5000,
  wallMs: 15000,
  memoryMb: 512,
  pids: 128,
  outputKb: 1024,
  fsizeKb: 65536,
  openFiles: 256,
  stackKb: 65536,
};

type NumericLimit = Exclude<keyof Limits, 'cpuset'>;

/** Inclusive ranges, with the CLI flag that sets each limit (for error messages). */
export const LIMIT_RANGES: Readonly<Record<NumericLimit, { flag: string; min: number; max: number }>> = {
  cpuMs: { flag: '--cpu-ms', min: 1, max: 600_000 },
  wallMs: { flag: '--wall-ms', min: 1, max: 3_600_000 },
  memoryMb: { flag: '--memory-mb', min: 4, max: 65_536 },
  pids: { flag: '--pids', min: 1, max: 4096 },
  outputKb: { flag: '--output-kb', min: 1, max: 1_048_576 },
  fsizeKb: { flag: '--fsize-kb', min: 1, max: 1_073_741_824 },
  openFiles: { flag: '--open-files', min: 4, max: 65_536 },
  stackKb: { flag: '--stack-kb', min: 64, max: 1_048_576 },
};

/** Fills in defaults and checks every value; a bad one is a UserError naming the flag and range. */
export function resolveLimits(given: Partial<Limits>): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_RANGES) as NumericLimit[]) {
    const value = given[key];
    if (value === undefined) continue;
    const { flag, min, max } = LIMIT_RANGES[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UserError('E_LIMIT_RANGE', `${flag} must be a whole number from ${min} to ${max}, got ${String(value)}`);
    }
    limits[key] = value;
  }
  if (given.cpuset !== undefined) {
    if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(given.cpuset)) {
      throw new UserError('E_LIMIT_RANGE', `cpuset must be a CPU list such as "1" or "0-1,3", got "${given.cpuset}"`);
    }
    limits.cpuset = given.cpuset;
  }
  return limits;
}
