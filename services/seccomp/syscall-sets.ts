// The syscalls no policy may open up, whatever its YAML says: the floor under every policy.

/**
 * Always the violation action: never allowed and never answered with an errno, so that a call is
 * an incident with evidence. Each is a known step of a sandbox escape or host tampering.
 */
export const HOSTILE_SYSCALLS: ReadonlySet<string> = new Set([
  'acct',
  'add_key',
  'bpf',
  'finit_module',
  'init_module',
  'kexec_load',
  'keyctl',
  'mount',
  'open_by_handle_at', // CVE-2014-3519 "shocker" container escape
  'pivot_root',
  'ptrace',
  'reboot',
  'setns',
  'swapon',
  'umount2',
  'unshare',
]);

/**
 * Never allowed, but a policy may answer them with an errno where a common runtime probes them
 * (the entry's `# why` must name the runtime); otherwise they fall to the violation action.
 */
export const NEVER_ALLOWED_SYSCALLS: ReadonlySet<string> = new Set([
  'chroot',
  'io_uring_setup',
  'modify_ldt',
  'perf_event_open',
  'personality',
  'settimeofday',
  'userfaultfd',
]);
