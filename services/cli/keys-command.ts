// `gradebox keys create --course C [--label L] [--data DIR]`: a new course key, printed once
// (alone on the last line); `gradebox keys list --course C`; `gradebox keys revoke --id K`.
import { resolve } from 'node:path';

import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { dropToServiceUser } from '../account/privileges.js';
import { openStore } from '../store/open-store.js';
import { parseFlags } from './args.js';

export async function keysCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseFlags(rest, { course: { type: 'string' }, label: { type: 'string' }, id: { type: 'string' }, data: { type: 'string' } });
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError('usage: gradebox keys create|list --course C [--data DIR] | gradebox keys revoke --id KEY_ID');
  if (action !== 'revoke' && !values.course) throw new UsageError(`missing --course C (the course the key is for)`);
  if (action === 'revoke' && !values.id) throw new UsageError('missing --id KEY_ID (from gradebox keys list)');
  const dataDir = resolve(values.data ?? config().dataDir);
  dropToServiceUser(dataDir);
  const store = await openStore(dataDir);
  try {
    if (action === 'create') {
      await store.createCourse(values.course!);
      const { key, secret } = await store.createApiKey(values.course!, values.label);
      print(`key ${key.id} for course ${key.courseId} (shown once; only its hash is kept):\n${secret}\n`);
    } else if (action === 'list') {
      for (const key of await store.listApiKeys(values.course!)) {
        print(`${key.id}  ${key.prefix}…  ${key.label ?? ''}  created ${key.createdAt}${key.revokedAt ? `  revoked ${key.revokedAt}` : ''}\n`);
      }
    } else {
      await store.revokeKey(values.id!);
      print(`key ${values.id} revoked\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
