// The ranges a sandbox's numeric limits may take: a contract of grader.yaml (its `limits:`) and of
// `gradebox run`'s flags, checked where a grader is read (the API, which never runs a sandbox, reads
// graders too) and where a sandbox is made.

/** Inclusive ranges, with the CLI flag that sets each limit (for error messages). */
export const LIMIT_RANGES = {
  cpuMs: { flag: '--cpu-ms', min: 1, max: 600_000 },
  wallMs: { flag: '--wall-ms', min: 1, max: 3_600_000 },
  memoryMb: { flag: '--memory-mb', min: 4, max: 65_536 },
  pids: { flag: '--pids', min: 1, max: 4096 },
  outputKb: { flag: '--output-kb', min: 1, max: 1_048_576 },
  fsizeKb: { flag: '--fsize-kb', min: 1, max: 1_073_741_824 },
  openFiles: { flag: '--open-files', min: 4, max: 65_536 },
  stackKb: { flag: '--stack-kb', min: 64, max: 1_048_576 },
} as const satisfies Record<string, { flag: string; min: number; max: number }>;

export type NumericLimit = keyof typeof LIMIT_RANGES;
