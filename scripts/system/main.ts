/** `npm start`: the whole system on this machine, until Ctrl-C. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { portNumber } from '@ticketing/service';
import { startLocalSystem, type LocalSystem } from './local-system';

function announce(system: LocalSystem, token: string, dataDir: string) {
  console.log(
    [
      '',
      `ticketing is up: open ${system.url}/ in a browser (sign in with any name; tick "admin" for the payments dashboard)`,
      `  orders and tickets  ${system.url}/api/orders, ${system.url}/api/tickets`,
      `  payments            ${system.url}/api/payments (Stripe: ${system.stripe ? `the local fake at ${system.stripe.url}` : 'your STRIPE_SECRET_KEY'})`,
      `  API documents       ${system.url}/api/orders/openapi.json, ${system.url}/api/payments/openapi.json`,
      '',
      'Each service on its own port (probes and Prometheus metrics, as Kubernetes reads them):',
      ...Object.entries(system.services).map(
        ([name, service]) =>
          `  ${name.padEnd(19)} ${service.url}/livez, ${service.url}/readyz, ${service.url}/metrics`,
      ),
      '',
      'A development token (user "developer"; `npm run token -- --sub <user>` makes others):',
      `  export TOKEN=${token}`,
      `  curl -H "Authorization: Bearer $TOKEN" ${system.url}/api/orders`,
      '',
      `Ctrl-C stops everything; data stays in ${dataDir}.`,
      '',
    ].join('\n'),
  );
}

async function main() {
  const port = portNumber.parse(process.env.PORT ?? 8080);
  const dataDir = process.env.TICKETING_DATA_DIR ?? join(__dirname, '..', '..', '.data');
  mkdirSync(dataDir, { recursive: true });
  // On failure it stops what it had started.
  const system = await startLocalSystem({ dataDir, port, env: process.env, showLogs: true, client: true });
  let stopping = false;
  const shutdown = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    void system.stop().then(() => process.exit(exitCode));
  };
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  try {
    const token = await system.developmentToken('developer');
    // For `npm run demo` and other local tools: where things are.
    writeFileSync(
      join(dataDir, 'system.json'),
      JSON.stringify({
        url: system.url,
        stripeFakeUrl: system.stripe?.url ?? null,
        expirationWindowSeconds: Number(process.env.EXPIRATION_WINDOW_SECONDS ?? 900),
      }),
    );
    announce(system, token, dataDir);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    shutdown(1);
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
