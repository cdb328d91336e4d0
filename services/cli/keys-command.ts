// `gradebox keys create --course C [--scope portal|staff] [--expires DAYS] [--label L]`: a new
// course key, printed once (alone on the last line); `gradebox keys list --course C`;
// `gradebox keys revoke --id K`. The course must exist (`gradebox courses add`): a typo makes none.
import { UsageError } from '../common/errors.js';
import { KEY_SCOPES, type ApiKeyInfo, type KeyScope } from '../store/store.js';
import { integerFlag, parseFlags } from './args.js';
import { STORE_FLAGS } from './store-location.js';
import { DATA_HELP, withCommandStore } from './command-store.js';

export const KEYS_HELP = `usage: gradebox keys create --course C [--scope portal|staff] [--expires DAYS] [--label L] [--data DIR]
       gradebox keys list --course C [--data DIR]
       gradebox keys revoke --id KEY_ID [--data DIR]

  --scope     portal (default): a course portal's key (uploads, results, due dates);
              staff: the instructor API of the course (GET /v1/me says what it may do)
  --expires   the key stops working after DAYS days (1..3650); default: never
  --label     a note on what the key is for (shown by keys list)
${DATA_HELP}
create prints the secret once, alone on its last line; only its hash is kept.
`;

const DAY_MS = 24 * 60 * 60 * 1000;

function keyLine(key: ApiKeyInfo): string {
  const state = key.revokedAt ? `  revoked ${key.revokedAt}` : key.expiresAt ? `  expires ${key.expiresAt}` : '';
  return `${key.id}  ${key.prefix}…  ${key.scope}  ${key.label ?? ''}  created ${key.createdAt}${state}\n`;
}

function expiryFrom(days: string | undefined): string | null {
  const count = integerFlag('--expires', days);
  if (count === undefined) return null;
  if (count < 1 || count > 3650) throw new UsageError(`--expires takes 1 to 3650 days, got ${count}`);
  return new Date(Date.now() + count * DAY_MS).toISOString();
}

export async function keysCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseFlags(rest, {
    course: { type: 'string' }, label: { type: 'string' }, id: { type: 'string' }, ...STORE_FLAGS,
    scope: { type: 'string' }, expires: { type: 'string' },
  });
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError(KEYS_HELP);
  if (action !== 'revoke' && !values.course) throw new UsageError(`missing --course C (the course the key is for)`);
  if (action === 'revoke' && !values.id) throw new UsageError('missing --id KEY_ID (from gradebox keys list)');
  if (action !== 'create' && (values.scope || values.expires || values.label)) throw new UsageError('--scope, --expires and --label go with keys create');
  const scope = (values.scope ?? 'portal') as KeyScope;
  if (!KEY_SCOPES.includes(scope)) throw new UsageError(`--scope must be ${KEY_SCOPES.join(' or ')}, got "${values.scope}"`);
  const expiresAt = expiryFrom(values.expires);
  return withCommandStore(values, async ({ store, audit }) => {
    if (action === 'create') {
      const { key, secret } = await store.createApiKey(values.course!, values.label, { scope, expiresAt });
      await audit('key.created', key.courseId, { key: key.id, scope: key.scope, label: key.label, expires_at: key.expiresAt });
      print(`key ${key.id} (${key.scope}) for course ${key.courseId}${key.expiresAt ? `, until ${key.expiresAt}` : ''}; revoke it with gradebox keys revoke --id ${key.id}\n`);
      print(`the secret (shown once; only its hash is kept):\n${secret}\n`);
    } else if (action === 'list') {
      for (const key of await store.listApiKeys(values.course!)) print(keyLine(key));
    } else {
      await store.revokeKey(values.id!);
      const key = await store.getApiKey(values.id!);
      await audit('key.revoked', key?.courseId ?? null, { key: values.id! });
      print(`key ${values.id} revoked\n`);
    }
    return 0;
  });
}
