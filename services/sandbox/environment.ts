// The canonical environment of every sandboxed program: nothing is inherited from the host.
export const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';

export function canonicalEnvironment(seed = 0): Record<string, string> {
  return {
    PATH: SANDBOX_PATH,
    HOME: '/box',
    USER: 'sandbox',
    LOGNAME: 'sandbox',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    TMPDIR: '/tmp',
    // Reproducible runs: Python's hash seed and our own seed are fixed and recorded.
    PYTHONHASHSEED: String(seed),
    PYTHONDONTWRITEBYTECODE: '1',
    GRADEBOX_SEED: String(seed),
  };
}
