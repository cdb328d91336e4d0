// The SSRF guard: which addresses webhooks may reach (public ones, and networks the operator allows
// explicitly), how a refusal is worded, host names resolved and every address checked, and the
// form of an endpoint URL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { AddressGuard } from '../../services/webhooks/address-guard.js';
import { parseEndpointUrl } from '../../services/webhooks/endpoint-url.js';

const guard = new AddressGuard();

test('loopback, private, shared, link-local, unique-local, multicast, metadata and special-purpose addresses are refused', () => {
  const refused: Array<[string, string]> = [
    ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', '"this host" (unspecified)'], ['::', '"this host" (unspecified)'],
    ['10.1.2.3', 'private (RFC 1918)'], ['172.31.255.255', 'private (RFC 1918)'], ['192.168.0.1', 'private (RFC 1918)'], ['::ffff:10.0.0.1', 'private (RFC 1918)'],
    ['100.64.0.1', 'in the shared address space (CGNAT, RFC 6598)'],
    ['169.254.169.254', 'a cloud metadata service'], ['fd00:ec2::254', 'a cloud metadata service'],
    ['169.254.1.1', 'link-local'], ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique local (RFC 4193)'], ['fc00::1', 'unique local (RFC 4193)'],
    ['224.0.0.1', 'multicast'], ['239.1.1.1', 'multicast'], ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved for special purposes (IANA)'], ['192.0.2.5', 'reserved for special purposes (IANA)'], ['198.18.0.1', 'reserved for special purposes (IANA)'],
    ['64:ff9b::a00:1', 'reserved for special purposes (IANA)'], ['2002:a00:1::1', 'reserved for special purposes (IANA)'], ['2001::1', 'reserved for special purposes (IANA)'],
    ['2001:db8::1', 'reserved for special purposes (IANA)'], ['::10.0.0.1', 'reserved for special purposes (IANA)'],
  ];
  for (const [address, what] of refused) assert.is(guard.refusal(address), what, address);
});

test('public addresses are allowed', () => {
  for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001::1']) {
    assert.is(guard.refusal(address), null, address);
  }
});

test('a network the operator allows is allowed, and only that one; a malformed one is a configuration error', () => {
  const allowing = new AddressGuard(['127.0.0.0/8', 'fd12::/16', '10.9.8.7']);
  assert.equal(['127.0.0.1', 'fd12::1', '10.9.8.7'].map((a) => allowing.refusal(a)), [null, null, null]);
  assert.equal(['10.9.8.6', 'fd13::1', '169.254.169.254'].map((a) => allowing.refusal(a)), ['private (RFC 1918)', 'unique local (RFC 4193)', 'a cloud metadata service']);
  for (const bad of ['10.0.0.0/33', 'not-a-network', '10.0.0/8']) {
    assert.throws(() => new AddressGuard([bad]), (error: unknown) => error instanceof UserError && error.code === 'E_CONFIG', bad);
  }
});

test('a host name is resolved and every address it has is checked; a literal is checked as it is', async () => {
  const refusal = await guard.check('localhost').then(() => null, (error: UserError) => error);
  assert.is(refusal?.code, 'E_WEBHOOK_ADDRESS');
  assert.match(refusal!.message, /^the webhook host localhost resolves to (127\.0\.0\.1|::1), which is loopback: gradebox sends webhooks only to public addresses/);
  const loopback = new AddressGuard(['127.0.0.0/8', '::1']);
  assert.ok(['127.0.0.1', '::1'].includes((await loopback.check('localhost')).address));
  assert.equal(await loopback.check('[::1]'), { address: '::1', family: 6 });
  const literal = await guard.check('[fd00:ec2::254]').then(() => null, (error: UserError) => error.message);
  assert.match(literal ?? '', /^the webhook address fd00:ec2::254 is a cloud metadata service/);
  assert.equal(await guard.check('8.8.8.8'), { address: '8.8.8.8', family: 4 });
});

test('an endpoint URL is http(s), without credentials or fragment', () => {
  assert.is(parseEndpointUrl('https://lms.example.edu/hooks?course=1').href, 'https://lms.example.edu/hooks?course=1');
  assert.is(parseEndpointUrl('http://0x7f.1/').hostname, '127.0.0.1', 'odd spellings of an address become the address (then checked)');
  for (const [url, why] of [['file:///etc/passwd', /scheme file/], ['gopher://x/', /scheme gopher/], ['https://a:b@x.edu/', /user name or password/], ['https://x.edu/#f', /fragment/], ['x.edu/hook', /not a URL/]] as const) {
    assert.throws(() => parseEndpointUrl(url), (error: unknown) => error instanceof UserError && error.code === 'E_WEBHOOK_URL' && why.test(error.message), url);
  }
});

test.run();
