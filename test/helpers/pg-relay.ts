import net from 'node:net';

/** What relayTo returns: the relay's URL for a database URL, and the faults it can play. */
export interface PgRelay {
  url(u: string): string;
  /** Unreachable: drops every connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again after cut(). */
  restore(): Promise<void>;
  /**
   * A frozen server or a network black hole: connections stay open (new ones are accepted) but
   * nothing is forwarded either way; what was sent meanwhile waits in the sockets' buffers.
   */
  freeze(): void;
  /** Forwards again after freeze(), the held bytes first. */
  thaw(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1 to the test PostgreSQL server that can be cut (connections dropped,
 * new ones refused) and restored, or frozen (open but silent) and thawed: the database becoming
 * unreachable, or unresponsive, for a host.
 */
export async function relayTo(target: URL): Promise<PgRelay> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  let frozen = false;
  const forward = ([client, upstream]: [net.Socket, net.Socket]) => client.pipe(upstream).pipe(client);
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    for (const s of pair) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        pairs.delete(pair);
      });
      s.on('error', () => s.destroy());
    }
    pairs.add(pair);
    if (!frozen) forward(pair);
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return {
    url(u) {
      const relayed = new URL(u);
      relayed.hostname = '127.0.0.1';
      relayed.port = String(port);
      return relayed.toString();
    },
    cut: stop,
    restore: () => listen(port),
    freeze() {
      frozen = true;
      // Unpiped, a socket stops reading (paused): bytes wait in the kernel's buffers.
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    thaw() {
      frozen = false;
      for (const pair of pairs) forward(pair);
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
