// `gradebox webhooks add --course C --url URL [--events E1,E2] [--description D] [--data DIR] [--database URL]`
// prints the endpoint's signing secret (whsec_…) once, alone on the last line; `list --course C`,
// `remove|enable|disable|rotate --id ID` (rotate prints the new secret the same way), `deliveries
// --id ID [--limit N]` (the delivery log) and `redeliver --id ID --message MSG`. `gradebox webhooks
// inbound …` manages inbound integrations (webhooks-inbound-command.ts). The store is written as
// the service account; a URL is checked (form and addresses) as the API checks it.
import { UsageError } from '../common/errors.js';
import { dropToServiceUser } from '../account/privileges.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../protocol/webhook-events.js';
import { openStore } from '../store/open-store.js';
import type { WebhookDelivery, WebhookEndpoint } from '../store/webhook-store.js';
import { AddressGuard } from '../webhooks/address-guard.js';
import { EndpointRegistry } from '../webhooks/endpoint-registry.js';
import { webhookSettings } from '../webhooks/webhook-settings.js';
import { integerFlag, parseFlags } from './args.js';
import { STORE_FLAGS, storeLocation } from './store-location.js';
import { inboundCommand } from './webhooks-inbound-command.js';

const USAGE = 'usage: gradebox webhooks add --course C --url URL [--events E1,E2] [--description D] [--data DIR] [--database URL]'
  + ' | gradebox webhooks list --course C | gradebox webhooks remove|enable|disable|rotate --id ENDPOINT'
  + ' | gradebox webhooks deliveries --id ENDPOINT [--limit N] | gradebox webhooks redeliver --id ENDPOINT --message MSG'
  + ' | gradebox webhooks inbound add|list|remove …';

const FLAGS = {
  course: { type: 'string' }, url: { type: 'string' }, events: { type: 'string' }, description: { type: 'string' }, id: { type: 'string' },
  message: { type: 'string' }, limit: { type: 'string' }, ...STORE_FLAGS,
} as const;

type Values = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

function eventTypes(text: string | undefined): WebhookEventType[] | undefined {
  if (text === undefined) return undefined;
  const types = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const unknown = types.filter((t) => !WEBHOOK_EVENT_TYPES.includes(t as WebhookEventType));
  if (types.length === 0 || unknown.length > 0) throw new UsageError(`--events takes a comma-separated list of ${WEBHOOK_EVENT_TYPES.join(', ')}${unknown.length ? `; not ${unknown.join(', ')}` : ''}`);
  return types as WebhookEventType[];
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing ${flag}\n${USAGE}`);
  return value;
}

export function endpointLine(e: WebhookEndpoint): string {
  const state = e.disabledAt === null ? 'enabled' : `disabled since ${e.disabledAt} (${e.disabledReason ?? 'no reason kept'})`;
  return `${e.id}  ${e.url}  events: ${e.eventTypes?.join(',') ?? 'every type'}  ${state}${e.failingSince ? `  failing since ${e.failingSince}` : ''}\n`;
}

function deliveryLines(d: WebhookDelivery): string {
  const head = `${d.messageId}  ${d.type}  ${d.state}${d.nextAttemptAt ? ` (next attempt ${d.nextAttemptAt})` : ''}\n`;
  return head + d.attempts.map((a) => `  #${a.attempt}  ${a.startedAt}  ${a.status ?? '-'}  ${a.latencyMs} ms  ${a.outcome}${a.error ? `: ${a.error}` : ''}\n`).join('');
}

async function run(action: string, values: Values, registry: EndpointRegistry, print: (text: string) => void): Promise<void> {
  switch (action) {
    case 'add': {
      const { endpoint, secret } = await registry.add(need(values.course, '--course C'), { url: need(values.url, '--url URL'), eventTypes: eventTypes(values.events), description: values.description });
      print(`${endpointLine(endpoint)}signing secret (shown once; verify each delivery's webhook-signature with it):\n${secret}\n`);
      return;
    }
    case 'list':
      for (const endpoint of await registry.list(need(values.course, '--course C'))) print(endpointLine(endpoint));
      return;
    case 'remove':
      await registry.remove(need(values.id, '--id ENDPOINT'));
      print(`webhook endpoint ${values.id} removed\n`);
      return;
    case 'enable':
    case 'disable':
      print(endpointLine(await registry.change(need(values.id, '--id ENDPOINT'), { enabled: action === 'enable' })));
      return;
    case 'rotate': {
      const { endpoint, secret } = await registry.rotate(need(values.id, '--id ENDPOINT'));
      print(`the previous secret signs beside this one until ${endpoint.previousSecretExpiresAt}; new signing secret (shown once):\n${secret}\n`);
      return;
    }
    case 'deliveries':
      for (const delivery of await registry.deliveries(need(values.id, '--id ENDPOINT'), integerFlag('--limit', values.limit))) print(deliveryLines(delivery));
      return;
    case 'redeliver':
      print(deliveryLines(await registry.redeliver(need(values.id, '--id ENDPOINT'), need(values.message, '--message MSG'))));
      return;
    default:
      throw new UsageError(USAGE);
  }
}

export async function webhooksCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'inbound') return inboundCommand(rest, print);
  const { values } = parseFlags(rest, FLAGS);
  if (!['add', 'list', 'remove', 'enable', 'disable', 'rotate', 'deliveries', 'redeliver'].includes(action ?? '')) throw new UsageError(USAGE);
  const location = storeLocation(values);
  const settings = webhookSettings();
  dropToServiceUser(location.dataDir);
  const store = await openStore(location);
  try {
    await run(action!, values, new EndpointRegistry(store, new AddressGuard(settings.allowNetworks, settings.dnsServers), settings.rotationGraceMs), print);
  } finally {
    await store.close();
  }
  return 0;
}
