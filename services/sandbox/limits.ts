// Resource limits of one sandboxed run: defaults, allowed ranges, and validation with clear errors.
import { UserError } from '../common/errors.js';
import { LIMIT_RANGES, type NumericLimit } from '../protocol/limit-ranges.js';

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

export { LIMIT_RANGES };

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
