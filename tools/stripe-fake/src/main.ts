import { StripeFake } from './stripe-fake';

/** stripe-mock's port, so tooling that knows it finds the fake there too. */
const DEFAULT_PORT = 12111;

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`STRIPE_FAKE_PORT is not a port: ${value}`);
  return port;
}

async function main(): Promise<void> {
  const fake = await StripeFake.start({
    port: readPort(process.env['STRIPE_FAKE_PORT']),
    webhookUrl: process.env['STRIPE_WEBHOOK_URL'] || undefined,
    webhookSecret: process.env['STRIPE_WEBHOOK_SECRET'] || undefined,
  });
  const webhooks = fake.webhooks.settings();
  console.log(`stripe-fake listening on ${fake.url}`);
  console.log(
    webhooks.url === null
      ? 'stripe-fake sends no webhooks (set STRIPE_WEBHOOK_URL to receive them)'
      : `stripe-fake sends webhooks to ${webhooks.url}, signed with ${webhooks.secret}`,
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // Once the server and webhook timers are gone, nothing is left to run and the process exits.
    process.once(signal, () => {
      fake.stop().catch((error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      });
    });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
