import './jest-global-setup';

export default async function globalTeardown(): Promise<void> {
  for (const server of globalThis.__ticketingTestServers ?? []) await server.stop();
  globalThis.__ticketingTestServers = undefined;
}
