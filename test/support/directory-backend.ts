// A worker backend on local folders, for the worker tests: submissions and graders are folders,
// evidence is copied into a folder, and results go to the function it is given.
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { InternalError } from '../../services/common/errors.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { checkResultMessage, type ResultMessage } from '../../services/protocol/result-message.js';
import { RESULT_REFUSED } from '../../services/worker/result-delivery.js';
import type { WorkerBackend } from '../../services/worker/worker-backend.js';
import { fileSha256 } from './file-sha256.js';

export interface DirectoryBackendOptions {
  /** Holds `submissions/<submissionId>/` with each submission's files. */
  root: string;
  /** Grader folders this worker may use; a job names one by its digest. */
  graderDirs: string[];
  /** Where evidence archives go, each named by its sha256. @defaultValue `<root>/evidence` */
  evidenceDir?: string;
  /** Takes each result message; a throw is a failure that may pass (the message comes again). */
  results: (message: ResultMessage) => Promise<void>;
}

export class DirectoryBackend implements WorkerBackend {
  private byDigest = new Map<string, string>();
  private readonly evidenceDir: string;

  constructor(private readonly options: DirectoryBackendOptions) {
    this.evidenceDir = options.evidenceDir ?? join(options.root, 'evidence');
    this.scan();
  }

  /** Digests change when a grader folder is edited, so they are read again on a miss. */
  private scan(): void {
    this.byDigest = new Map(this.options.graderDirs.map((dir) => [loadGrader(dir).digest, dir]));
  }

  async submissionFiles(submissionId: string): Promise<string> {
    // Ids are plain (checked with the payload), so the join stays under <root>/submissions.
    const dir = join(this.options.root, 'submissions', submissionId);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InternalError('E_SUBMISSION_MISSING', `submission ${submissionId}: no folder ${dir}`);
    return dir;
  }

  async graderDir(digest: string): Promise<string> {
    if (!this.byDigest.has(digest)) this.scan();
    const dir = this.byDigest.get(digest);
    if (!dir) throw new InternalError('E_GRADER_UNKNOWN', `no grader with digest ${digest} among ${this.options.graderDirs.join(', ')}`);
    return dir;
  }

  async uploadEvidence(sha256: string, path: string): Promise<void> {
    const actual = await fileSha256(path);
    if (actual !== sha256) throw new InternalError('E_EVIDENCE_DIGEST', `evidence ${path} has sha256 ${actual}, not ${sha256}`);
    mkdirSync(this.evidenceDir, { recursive: true });
    // Copy then rename: a reader never sees half an archive under its final name.
    const partial = join(this.evidenceDir, `.${sha256}.${randomUUID()}.partial`);
    copyFileSync(path, partial);
    renameSync(partial, join(this.evidenceDir, sha256));
  }

  /** Checked as the API checks it: an invalid message is refused for good. */
  async sendResult(message: ResultMessage): Promise<void> {
    const checked = checkResultMessage(message);
    if ('problem' in checked) throw new InternalError(RESULT_REFUSED, checked.problem);
    await this.options.results(checked.message);
  }
}
