// Runs `gradebox worker` with the given arguments in this process (for tests that kill or signal a worker).
import { workerCommand } from '../../services/cli/worker-command.js';

workerCommand(process.argv.slice(2), (text) => process.stdout.write(text)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`worker-process: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
