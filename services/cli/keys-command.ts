// `gradebox keys create --course C [--label L] [--data DIR] [--database URL]`: a new course key, printed once
// (alone on the last line); `gradebox keys list --course C`; `gradebox keys revoke --id K`.
import { UsageError } from '../common/errors.js';
import { dropToServiceUser } from '../account/privileges.js';
import { openStore } from '../store/open-store.js';
import { parseFlags } from './args.js';
import { STORE_FLAGS, storeLocation } from './store-location.js';

export async function keysCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseFlags(rest, { course: { type: 'string' }, label: { type: 'string' }, id: { type: 'string' }, ...STORE_FLAGS });
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError('usage: gradebox keys create|list --course C [--data DIR] [--database URL] | gradebox keys revoke --id KEY_ID');
  if (action !== 'revoke' && !values.course) throw new UsageError(`missing --course C (the course the key is for)`);
  if (action === 'revoke' && !values.id) throw new UsageError('missing --id KEY_ID (from gradebox keys list)');
  const location = storeLocation(values);
  dropToServiceUser(location.dataDir);
  const store = await openStore(location);
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
