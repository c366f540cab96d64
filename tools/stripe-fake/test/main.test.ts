import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { waitFor } from '@ticketing/testing';

const MAIN = path.join(__dirname, '..', 'src', 'main.ts');

describe('the command line entry', () => {
  it('starts from the environment, prints where it listens, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        STRIPE_FAKE_PORT: '0',
        STRIPE_WEBHOOK_URL: 'http://127.0.0.1:9/webhooks',
        STRIPE_WEBHOOK_SECRET: 'whsec_from_env',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      // The webhook line is printed last; once it is in, the listening line is too.
      await waitFor(() => output.includes('signed with whsec_from_env\n'), {
        description: 'the start-up lines',
        timeoutMs: 20_000,
      });
      expect(output).toContain('sends webhooks to http://127.0.0.1:9/webhooks');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(output)?.[1];

      const response = await fetch(`${url}/v1/payment_intents`, {
        headers: { Authorization: 'Bearer sk_test_x' },
      });
      expect(response.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toEqual([0, null]);
  });
});
