// A DNS server on loopback for the tests (UDP, RFC 1035): it answers A queries for any name with
// the address the test sets now, and counts the queries, so a test can change what a webhook's host
// resolves to between two deliveries (DNS rebinding) and see how often it was asked.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export class TestDnsServer {
  /** The IPv4 address A queries are answered with. */
  address = '127.0.0.1';
  /** Every A query's name, in order. */
  readonly queries: string[] = [];

  private constructor(private readonly socket: Socket, readonly port: number) {}

  static async start(): Promise<TestDnsServer> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const server = new TestDnsServer(socket, (socket.address() as AddressInfo).port);
    socket.on('message', (query, from) => socket.send(server.answer(query), from.port, from.address));
    return server;
  }

  /** `127.0.0.1:port`, as a resolver's server list takes it. */
  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The reply to one query: the question echoed, and for type A one answer of `address` (TTL 0); other types get none. */
  private answer(query: Buffer): Buffer {
    let end = 12;
    const labels: string[] = [];
    while (query[end]! > 0) {
      labels.push(query.subarray(end + 1, end + 1 + query[end]!).toString('ascii'));
      end += query[end]! + 1;
    }
    const question = query.subarray(12, end + 5);
    const isA = query.readUInt16BE(end + 1) === 1;
    if (isA) this.queries.push(labels.join('.'));
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0); // the query's id
    header.writeUInt16BE(0x8180, 2); // a response, recursion desired and available, no error
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(isA ? 1 : 0, 6);
    if (!isA) return Buffer.concat([header, question]);
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(1, 2); // type A
    record.writeUInt16BE(1, 4); // class IN
    record.writeUInt32BE(0, 6); // TTL 0: never cached
    record.writeUInt16BE(4, 10);
    this.address.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
    return Buffer.concat([header, question, record]);
  }

  async close(): Promise<void> {
    this.socket.close();
    await once(this.socket, 'close');
  }
}
