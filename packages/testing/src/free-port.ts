import { createServer } from 'node:net';

/**
 * Asks the kernel for a port that is free on 127.0.0.1 right now, for a server that must be told its port
 * (another process may take it meanwhile; the harness's servers are started at once).
 *
 * @example
 * const nats = await NatsServer.start({ port: await freePort() });
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
