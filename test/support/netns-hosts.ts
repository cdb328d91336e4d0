// "Hosts" on one machine for the multi-host test: network namespaces joined by veth pairs
// (ip-netns(8), veth(4)). A core host, and others each linked to it by their own pair, so one
// host's link can be cut (its core end set down) while the rest carry on. The test process (the
// root namespace) is linked to the core too, as a client on the network would be. Everything made
// is listed, and removed by remove(): deleting a namespace deletes the veth ends inside it.
import { execFileSync } from 'node:child_process';

export interface NetHost {
  name: string;
  /** The netns file, for nsenter --net=. */
  netns: string;
  /** This host's address on its link to the core. */
  address: string;
  /** The core's address on that link (what this host dials to reach the core). */
  coreAddress: string;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export class NetHosts {
  readonly core: NetHost;
  private readonly made: string[] = [];
  private readonly links = new Map<string, string>();
  /** The core's address as the test process reaches it. */
  readonly coreFromHere: string;

  /** `tag` keeps the names apart from another test's (a few characters: interface names have at most 15). */
  constructor(private readonly tag: string, private readonly subnet: number) {
    this.core = this.namespace('core', '', '');
    // The test process's own link: hostside in the root namespace, coreside in the core.
    const here = `${tag}h`;
    ip('link', 'add', here, 'type', 'veth', 'peer', 'name', `${tag}hc`);
    this.links.set('here', here);
    ip('link', 'set', `${tag}hc`, 'netns', this.core.name);
    ip('addr', 'add', `10.${subnet}.0.1/30`, 'dev', here);
    ip('link', 'set', here, 'up');
    ip('-n', this.core.name, 'addr', 'add', `10.${subnet}.0.2/30`, 'dev', `${tag}hc`);
    ip('-n', this.core.name, 'link', 'set', `${tag}hc`, 'up');
    this.coreFromHere = `10.${subnet}.0.2`;
  }

  private namespace(role: string, address: string, coreAddress: string): NetHost {
    const name = `${this.tag}-${role}`;
    ip('netns', 'add', name);
    this.made.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    return { name, netns: `/run/netns/${name}`, address, coreAddress };
  }

  /** A host linked to the core by its own veth pair; `n` (1…) numbers its link's subnet. */
  addHost(role: string, n: number): NetHost {
    const host = this.namespace(role, `10.${this.subnet}.${n}.2`, `10.${this.subnet}.${n}.1`);
    const coreEnd = `${this.tag}c${n}`;
    ip('link', 'add', coreEnd, 'type', 'veth', 'peer', 'name', `${this.tag}x${n}`);
    ip('link', 'set', coreEnd, 'netns', this.core.name);
    ip('link', 'set', `${this.tag}x${n}`, 'netns', host.name);
    ip('-n', this.core.name, 'addr', 'add', `${host.coreAddress}/30`, 'dev', coreEnd);
    ip('-n', host.name, 'addr', 'add', `${host.address}/30`, 'dev', `${this.tag}x${n}`);
    ip('-n', this.core.name, 'link', 'set', coreEnd, 'up');
    ip('-n', host.name, 'link', 'set', `${this.tag}x${n}`, 'up');
    this.links.set(host.name, coreEnd);
    return host;
  }

  /** Cuts a host off: its link's core end goes down (packets are dropped, no connection is reset). */
  cut(host: NetHost): void {
    ip('-n', this.core.name, 'link', 'set', this.links.get(host.name)!, 'down');
  }

  remove(): void {
    const here = this.links.get('here');
    if (here) {
      try { ip('link', 'del', here); } catch { /* gone with the core */ }
    }
    for (const name of this.made.splice(0).reverse()) {
      try { ip('netns', 'del', name); } catch { /* already gone */ }
    }
  }
}
