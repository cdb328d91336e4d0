// `gradebox lti …`: register an LMS platform (`platforms add|list`), map an LMS course onto a
// gradebox course (`contexts link`), rotate the tool's signing key (`keys rotate`) and show a
// course's grade passbacks (`passbacks --course C`). `platforms add` prints the values the LMS
// admin enters on the platform's side.
import { resolve } from 'node:path';

import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { dropToServiceUser } from '../account/privileges.js';
import { SCOPE } from '../lti/lti-claims.js';
import { ltiSettings } from '../lti/lti-settings.js';
import { ToolKeys } from '../lti/tool-keys.js';
import { openStore } from '../store/open-store.js';
import type { LtiPlatform } from '../store/lti-store.js';
import type { Store } from '../store/store.js';
import { parseFlags } from './args.js';

const USAGE = 'usage: gradebox lti platforms add --issuer URL --client-id ID --deployment-id ID --auth-url URL --token-url URL --jwks-url URL [--data DIR]'
  + ' | gradebox lti platforms list | gradebox lti contexts link --issuer URL [--client-id ID] --context-id ID --course C'
  + ' | gradebox lti keys rotate | gradebox lti passbacks --course C';

const FLAGS = {
  issuer: { type: 'string' }, 'client-id': { type: 'string' }, 'deployment-id': { type: 'string' }, 'auth-url': { type: 'string' },
  'token-url': { type: 'string' }, 'jwks-url': { type: 'string' }, 'context-id': { type: 'string' }, course: { type: 'string' }, data: { type: 'string' },
} as const;

type Values = Partial<Record<keyof typeof FLAGS, string>>;

function required(values: Values, flag: keyof typeof FLAGS): string {
  const value = values[flag];
  if (!value) throw new UsageError(`missing --${flag}\n${USAGE}`);
  return value;
}

/** What the LMS admin enters for gradebox (the README's "Connect Canvas / Moodle" says where). */
export function toolValues(publicUrl: string): string {
  const at = (path: string) => new URL(path, publicUrl).toString();
  return [
    `  login (OIDC initiation) URL:  ${at('/lti/login')}`,
    `  redirect (launch) URL:        ${at('/lti/launch')}`,
    `  target link URI:              ${at('/lti/launch')}`,
    `  public JWK set URL:           ${at('/.well-known/jwks.json')}`,
    `  scopes:                       ${[SCOPE.lineItem, SCOPE.score, SCOPE.memberships].join(' ')}`,
    '  placements:                   a link in the course (resource link) and the assignment selection (deep linking)',
  ].join('\n');
}

const platformLine = (p: LtiPlatform) => `${p.issuer}  client ${p.clientId}  deployments ${p.deploymentIds.join(',')}  auth ${p.authUrl}  token ${p.tokenUrl}  jwks ${p.jwksUrl}\n`;

async function platforms(store: Store, action: string | undefined, values: Values, print: (t: string) => void): Promise<void> {
  if (action === 'list') {
    for (const p of await store.listLtiPlatforms()) print(platformLine(p));
    return;
  }
  if (action !== 'add') throw new UsageError(USAGE);
  const platform = await store.addLtiPlatform({
    issuer: required(values, 'issuer'), clientId: required(values, 'client-id'), deploymentId: required(values, 'deployment-id'),
    authUrl: required(values, 'auth-url'), tokenUrl: required(values, 'token-url'), jwksUrl: required(values, 'jwks-url'),
  });
  await new ToolKeys(store, ltiSettings('').keysKept).jwks();
  const publicUrl = config().publicUrl ?? `http://127.0.0.1:${config().port}`;
  print(`platform ${platform.issuer} (client ${platform.clientId}) registered, deployments ${platform.deploymentIds.join(', ')}\n`
    + `enter in the platform (GRADEBOX_PUBLIC_URL ${config().publicUrl ? 'is' : 'is unset; set it to the address the LMS reaches:'} ${publicUrl}):\n${toolValues(publicUrl)}\n`);
}

async function run(store: Store, argv: string[], values: Values, print: (t: string) => void): Promise<void> {
  const [area, action] = argv;
  if (area === 'platforms') return platforms(store, action, values, print);
  if (area === 'contexts' && action === 'link') {
    const platform = await store.findLtiPlatform(required(values, 'issuer'), values['client-id']);
    if (!platform) throw new UsageError(`no platform with the issuer ${values.issuer} is registered: gradebox lti platforms add first`);
    const link = await store.linkLtiContext(platform.id, required(values, 'context-id'), required(values, 'course'));
    return print(`LMS course ${link.contextId} of ${platform.issuer} → gradebox course ${link.courseId}\n`);
  }
  if (area === 'keys' && action === 'rotate') {
    const kid = await new ToolKeys(store, ltiSettings('').keysKept).rotate();
    return print(`new signing key ${kid}; the one before stays published until the next rotation\n`);
  }
  if (area === 'passbacks') {
    for (const d of await store.listLtiScoreDeliveries(required(values, 'course'), 1000)) {
      print(`${d.id}  ${d.submissionId}.${d.gradeNumber}  ${d.student}  ${d.kind}  ${d.state}  attempts ${d.attempts}  ${d.lastStatus ?? ''}  ${d.lastError ?? ''}\n`);
    }
    return;
  }
  throw new UsageError(USAGE);
}

export async function ltiCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, true);
  if (positionals.length === 0) throw new UsageError(USAGE);
  const dataDir = resolve(values.data ?? config().dataDir);
  dropToServiceUser(dataDir);
  const store = await openStore(dataDir);
  try {
    await run(store, positionals, values, print);
  } finally {
    await store.close();
  }
  return 0;
}
