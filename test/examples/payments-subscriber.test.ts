import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Bus, durableName } from '@ticketing/bus';
import { EventRecorder, waitFor } from '@ticketing/testing';
import pg from 'pg';
import { Client, startSystem } from '../e2e/system-client';
import { npm, packWorkspaces } from './npm-pack';

const run = promisify(execFile);
const repository = join(__dirname, '..', '..');
const exampleDir = join(repository, 'examples', 'payments-subscriber');

/**
 * The example as someone outside the repository gets it: a copy in a temporary directory, with
 * `@ticketing/contracts` and `@ticketing/bus` installed from `npm pack` tarballs (where its package.json
 * expects them, in vendor/), its other dependencies from the registry, compiled with its own tsc.
 */
async function installExample(scratch: string): Promise<string> {
  const tarballs = await packWorkspaces(['@ticketing/contracts', '@ticketing/bus'], scratch);
  const app = join(scratch, 'payments-subscriber');
  cpSync(exampleDir, app, {
    recursive: true,
    // What a local `npm install` and build there may have left.
    filter: (source) =>
      !/^(node_modules|dist|vendor|package-lock\.json)(\/|$)/.test(relative(exampleDir, source)),
  });
  mkdirSync(join(app, 'vendor'));
  for (const [name, tarball] of Object.entries(tarballs)) {
    copyFileSync(tarball, join(app, 'vendor', `${name.replace('@ticketing/', 'ticketing-')}.tgz`));
  }
  await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
  await run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', app], { cwd: app }).catch(
    (error: { stdout?: string }) => {
      throw new Error(`The example does not compile against the packed packages:\n${error.stdout}`);
    },
  );
  return app;
}

interface LogLine {
  msg?: string;
  [field: string]: unknown;
}

describe('the example outside subscriber (examples/payments-subscriber)', () => {
  let scratch: string;
  let app: string;
  let running: Awaited<ReturnType<typeof startSystem>>;
  let receipts: pg.Pool;
  let subscriber: ChildProcess;
  const logs: LogLine[] = [];
  let output = '';

  const logged = (msg: string, match: (line: LogLine) => boolean = () => true) =>
    logs.filter((line) => line.msg === msg && match(line));

  /** Waits for `msg` in the subscriber's log, failing at once, with its output, if it exits. */
  const waitForLog = (msg: string, match?: (line: LogLine) => boolean) =>
    waitFor(
      () => {
        if (subscriber.exitCode !== null) throw new Error(`the subscriber exited:\n${output}`);
        return logged(msg, match)[0];
      },
      { timeoutMs: 30_000, description: `"${msg}" in the subscriber's log` },
    );

  beforeAll(async () => {
    // Outside the repository, so that nothing resolves from its node_modules: only what the install brought.
    scratch = mkdtempSync(join(tmpdir(), 'ticketing-example-'));
    const [installed, started] = await Promise.allSettled([
      installExample(scratch),
      startSystem({ EXPIRATION_WINDOW_SECONDS: '120' }),
    ]);
    // Kept before anything is thrown, so that afterAll stops a system that started.
    if (started.status === 'fulfilled') running = started.value;
    if (installed.status === 'rejected') throw installed.reason;
    if (started.status === 'rejected') throw started.reason;
    app = installed.value;
    const databaseUrl = await running.infra.createDatabase();
    receipts = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    subscriber = spawn(process.execPath, [join(app, 'dist', 'index.js')], {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '',
        NATS_URL: running.infra.natsUrl,
        NATS_NAMESPACE: running.infra.namespace,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    subscriber.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    createInterface({ input: subscriber.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output += `${line}\n`;
      try {
        logs.push(JSON.parse(line));
      } catch {
        // Not one of its JSON log lines.
      }
    });
    await waitForLog('receiving payments.created');
  }, 180_000);

  afterAll(async () => {
    if (subscriber && subscriber.exitCode === null && subscriber.signalCode === null) {
      const exited = once(subscriber, 'exit');
      subscriber.kill('SIGKILL');
      await exited;
    }
    await receipts?.end();
    await running?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('installs one copy each of @ticketing/contracts and @ticketing/bus, from their tarballs', () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
    const copies = (name: string) =>
      Object.keys(lock.packages).filter((path) => path.endsWith(`node_modules/${name}`));
    for (const name of ['@ticketing/contracts', '@ticketing/bus']) {
      expect(copies(name)).toEqual([`node_modules/${name}`]);
      expect(lock.packages[`node_modules/${name}`].resolved).toMatch(/^file:vendor\//);
    }
    // The bus's Kysely is the one the subscriber's database handle is typed with.
    expect(copies('kysely')).toEqual(['node_modules/kysely']);
  });

  describe('with a ticket bought through the public API', () => {
    let payment: { id: string; orderId: string; amount: number; currency: string; stripeId: string };

    beforeAll(async () => {
      const seller = await Client.as(running.system, 'seller');
      const buyer = await Client.as(running.system, 'buyer');
      const order = await buyer.order(await seller.sellTicket(4200));
      const response = await buyer.payWhenKnown(order.id, { paymentMethod: 'pm_card_visa' });
      expect(response.status).toBe(201);
      payment = response.body;
      expect(payment).toMatchObject({ orderId: order.id, amount: 4200, currency: 'usd' });
    });

    const receiptsOf = async (paymentId: string) =>
      (await receipts.query('select * from receipts where payment_id = $1', [paymentId])).rows;

    it('keeps a receipt of the payment in its own database', async () => {
      const [receipt] = await waitFor(
        async () => {
          const rows = await receiptsOf(payment.id);
          return rows.length > 0 && rows;
        },
        { timeoutMs: 20_000, description: `a receipt of payment ${payment.id}` },
      );
      expect(receipt).toMatchObject({
        order_id: payment.orderId,
        amount: 4200,
        currency: 'usd',
        stripe_id: payment.stripeId,
      });
      await waitForLog('receipt recorded', (line) => line.paymentId === payment.id);
    });

    it('keeps no second receipt when the same event comes again', async () => {
      const bus = await Bus.connect({
        url: running.infra.natsUrl,
        name: 'republisher',
        namespace: running.infra.namespace,
      });
      const recorder = await EventRecorder.start(bus, ['PAYMENTS']);
      try {
        // The message exactly as the payments service published it.
        const original = await waitFor(() =>
          recorder.recorded.find(
            (event) => event.subject === 'payments.created' && JSON.parse(event.body).data.id === payment.id,
          ),
        );
        // Again, under another message id, so that the server's deduplication lets it through (as it would
        // once its duplicate window is over): only the subscriber's inbox stands in the way.
        const ack = await bus.js.publish(bus.wireSubject('payments.created'), original.body, {
          msgID: randomUUID(),
        });
        expect(ack.duplicate).toBe(false);
        // Acknowledged: either skipped as a duplicate, or, had the handler run again and broken the receipts'
        // primary key, dead-lettered after its retries.
        const consumer = durableName('receipts', 'payments.created');
        await waitFor(
          async () =>
            (await bus.jsm.consumers.info(bus.streamName('PAYMENTS'), consumer)).ack_floor.stream_seq >=
            ack.seq,
          { timeoutMs: 20_000, description: 'the subscriber to acknowledge the copy' },
        );
        const deadLetters = await bus.jsm.streams.info(bus.streamName('DLQ'));
        expect(deadLetters.state.messages).toBe(0);
      } finally {
        await recorder.stop();
        await bus.close();
      }
      expect(await receiptsOf(payment.id)).toHaveLength(1);
      expect(logged('receipt recorded', (line) => line.paymentId === payment.id)).toHaveLength(1);
    });
  });

  it('stops cleanly when told to', async () => {
    const exited = once(subscriber, 'exit');
    subscriber.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });
});
