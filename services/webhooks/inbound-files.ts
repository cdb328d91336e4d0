// The files of an inbound submission (path and base64 content in the signed JSON), taken in like
// an upload's: the same name checks and caps (services/intake/), each content decoded strictly.
// Small files go into the store with the submission; bigger ones are stored as blobs first.
import { createHash } from 'node:crypto';

import { describeName, normalizeEntryName } from '../intake/safe-names.js';
import { UploadBudget } from '../intake/upload-budget.js';
import { resolveUploadLimits, type UploadLimits } from '../intake/upload-limits.js';
import type { NewSubmissionFile, Store } from '../store/store.js';
import { WebhookRefusal } from './webhook-refusal.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decode(path: string, text: string): Buffer {
  if (!BASE64.test(text)) {
    throw new WebhookRefusal(422, 'E_BAD_BASE64', `the content_base64 of ${describeName(path)} is not base64 (RFC 4648, with padding); encode the file's bytes again`);
  }
  return Buffer.from(text, 'base64');
}

/** The submission's files, checked and counted as an upload's; what does not stay in memory is stored as a blob now. */
export async function inboundFiles(store: Store, files: ReadonlyArray<{ path: string; content_base64: string }>, overrides?: Partial<UploadLimits>): Promise<NewSubmissionFile[]> {
  const limits = resolveUploadLimits(overrides);
  const budget = new UploadBudget(limits);
  let memoryLeft = limits.memoryBytes;
  const taken: NewSubmissionFile[] = [];
  for (const file of files) {
    budget.countEntry(file.path);
    const path = normalizeEntryName(file.path, limits);
    budget.claimFile(path);
    const content = decode(path, file.content_base64);
    budget.addBytes(path, 0, content.length);
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (content.length <= memoryLeft) {
      memoryLeft -= content.length;
      taken.push({ path, sha256, size: content.length, content });
    } else {
      await store.putBlob(content, sha256);
      taken.push({ path, sha256, size: content.length });
    }
  }
  return taken;
}
