// `gradebox webhooks inbound add --course C [--label L] [--data DIR] [--database URL]`: an integration (an LMS or
// portal) that may create submissions and ask for regrades by signed webhook; prints where it
// sends them and its secret (whsec_…) once, alone on the last line. `inbound list --course C`,
// `inbound remove --id ID`.
import { UsageError, UserError } from '../common/errors.js';
import { dropToServiceUser } from '../account/privileges.js';
import { openStore } from '../store/open-store.js';
import type { InboundIntegration } from '../store/webhook-store.js';
import { parseFlags } from './args.js';
import { STORE_FLAGS, storeLocation } from './store-location.js';

const USAGE = 'usage: gradebox webhooks inbound add --course C [--label L] [--data DIR] [--database URL] | gradebox webhooks inbound list --course C | gradebox webhooks inbound remove --id INTEGRATION';

const line = (i: InboundIntegration): string => `${i.id}  POST /v1/webhooks/inbound/${i.id}  course ${i.courseId}${i.label ? `  ${i.label}` : ''}  created ${i.createdAt}\n`;

export async function inboundCommand(argv: string[], print: (text: string) => void): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseFlags(rest, { course: { type: 'string' }, label: { type: 'string' }, id: { type: 'string' }, ...STORE_FLAGS });
  if (action !== 'add' && action !== 'list' && action !== 'remove') throw new UsageError(USAGE);
  if (action !== 'remove' && !values.course) throw new UsageError(`missing --course C\n${USAGE}`);
  if (action === 'remove' && !values.id) throw new UsageError(`missing --id INTEGRATION\n${USAGE}`);
  const location = storeLocation(values);
  dropToServiceUser(location.dataDir);
  const store = await openStore(location);
  try {
    if (action === 'add') {
      const { integration, secret } = await store.createInboundIntegration(values.course!, values.label);
      print(`${line(integration)}its signing secret (shown once; it signs each webhook it sends with it, Standard Webhooks):\n${secret}\n`);
    } else if (action === 'list') {
      for (const integration of await store.listInboundIntegrations(values.course!)) print(line(integration));
    } else {
      if (!(await store.findInboundIntegration(values.id!))) throw new UserError('E_NOT_FOUND', `no inbound integration ${values.id}; list them with gradebox webhooks inbound list --course C`);
      await store.removeInboundIntegration(values.id!);
      print(`inbound integration ${values.id} removed\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
