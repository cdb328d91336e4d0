// Keeps webhook requests out of the networks gradebox runs in (server-side request forgery): an
// endpoint's host must resolve only to public addresses. Loopback, private (RFC 1918), shared
// (CGNAT), link-local and unique-local, multicast, cloud metadata and the other special-purpose
// ranges of the IANA registries are refused, unless the operator allows a network explicitly.
// Checked when an endpoint is registered and again at every delivery, which connects to the
// address checked then (resolving the name again could give another: DNS rebinding).
import { lookup, Resolver } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

import { UserError } from '../common/errors.js';

type Family = 'ipv4' | 'ipv6';

/** Refused ranges by what they are, the most telling name first. IPv4-mapped IPv6 addresses are checked as IPv4 (BlockList does so). */
const FORBIDDEN: ReadonlyArray<{ what: string; ranges: Array<[string, number, Family]> }> = [
  { what: 'a cloud metadata service', ranges: [['169.254.169.254', 32, 'ipv4'], ['fd00:ec2::254', 128, 'ipv6']] },
  { what: 'loopback', ranges: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']] },
  { what: '"this host" (unspecified)', ranges: [['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']] },
  { what: 'private (RFC 1918)', ranges: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4']] },
  { what: 'in the shared address space (CGNAT, RFC 6598)', ranges: [['100.64.0.0', 10, 'ipv4']] },
  { what: 'link-local', ranges: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']] },
  { what: 'unique local (RFC 4193)', ranges: [['fc00::', 7, 'ipv6']] },
  { what: 'multicast', ranges: [['224.0.0.0', 4, 'ipv4'], ['ff00::', 8, 'ipv6']] },
  {
    what: 'reserved for special purposes (IANA)',
    ranges: [
      ['192.0.0.0', 24, 'ipv4'], ['192.0.2.0', 24, 'ipv4'], ['192.88.99.0', 24, 'ipv4'], ['198.18.0.0', 15, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'], ['203.0.113.0', 24, 'ipv4'], ['240.0.0.0', 4, 'ipv4'],
      // IPv4-compatible, NAT64, discard, IETF (Teredo among them), documentation, 6to4, site-local:
      // several of them reach an IPv4 address of their own choosing.
      ['::', 96, 'ipv6'], ['64:ff9b::', 96, 'ipv6'], ['64:ff9b:1::', 48, 'ipv6'], ['100::', 64, 'ipv6'], ['2001::', 23, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'], ['2002::', 16, 'ipv6'], ['fec0::', 10, 'ipv6'],
    ],
  },
];

/** An address a request may connect to. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

const familyOf = (address: string): Family => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

function blockList(ranges: Array<[string, number, Family]>): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
  return list;
}

/** `10.1.0.0/16`, `fd00::/8` or a single address; anything else is the operator's mistake, named. */
function allowedNetworks(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefixText] = cidr.split('/');
    const family = isIP(network);
    const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      throw new UserError('E_CONFIG', `GRADEBOX_WEBHOOK_ALLOW_NETWORKS: ${JSON.stringify(cidr)} is not a network; write it like 10.20.0.0/16 or fd12::/64`);
    }
    list.addSubnet(network, prefix, familyOf(network));
  }
  return list;
}

export class AddressGuard {
  private readonly forbidden = FORBIDDEN.map(({ what, ranges }) => ({ what, list: blockList(ranges) }));
  private readonly allowed: BlockList;
  private readonly resolver: Resolver | null;

  /**
   * @param allowNetworks - networks allowed although special (the tests allow 127.0.0.0/8)
   * @param dnsServers - resolve with these servers (`IP` or `IP:port`) instead of the system's resolver
   */
  constructor(allowNetworks: readonly string[] = [], dnsServers: readonly string[] = []) {
    this.allowed = allowedNetworks(allowNetworks);
    this.resolver = dnsServers.length > 0 ? new Resolver({ timeout: 5000, tries: 2 }) : null;
    this.resolver?.setServers([...dnsServers]);
  }

  /** What kind of address `address` is when requests may not go there, or null when they may. */
  refusal(address: string): string | null {
    const family = familyOf(address);
    if (this.allowed.check(address, family)) return null;
    return this.forbidden.find(({ list }) => list.check(address, family))?.what ?? null;
  }

  /**
   * Resolves `hostname` (a URL's: an IPv6 literal in brackets) once and checks every address it
   * has; a UserError names a refused one (E_WEBHOOK_ADDRESS) or a name that does not resolve
   * (E_WEBHOOK_DNS). Returns the address to connect to.
   */
  async check(hostname: string): Promise<CheckedAddress> {
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(host) ? [host] : await this.resolve(host);
    for (const address of addresses) {
      const refused = this.refusal(address);
      if (refused) {
        const named = address === host ? `the webhook address ${address} is` : `the webhook host ${host} resolves to ${address}, which is`;
        throw new UserError('E_WEBHOOK_ADDRESS', `${named} ${refused}: gradebox sends webhooks only to public addresses unless the operator `
          + 'allows that network (GRADEBOX_WEBHOOK_ALLOW_NETWORKS); use a public host name');
      }
    }
    return { address: addresses[0]!, family: isIP(addresses[0]!) === 6 ? 6 : 4 };
  }

  private async resolve(host: string): Promise<string[]> {
    let addresses: string[];
    try {
      if (this.resolver) {
        const answers = await Promise.allSettled([this.resolver.resolve4(host), this.resolver.resolve6(host)]);
        addresses = answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : []));
      } else {
        addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
      }
    } catch (error) {
      throw new UserError('E_WEBHOOK_DNS', `cannot resolve the webhook host ${host} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the URL`);
    }
    if (addresses.length === 0) throw new UserError('E_WEBHOOK_DNS', `the webhook host ${host} has no address; check the URL`);
    return addresses;
  }
}
