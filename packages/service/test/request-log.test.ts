import request from 'supertest';
import { createHttpApp, signToken } from '@ticketing/service';
import { createLogger, createMetricsRegistry } from '@ticketing/bus';
import { waitFor } from '@ticketing/testing';

const JWT_KEY = 'request-log-test-key-0123456789';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

/** An app whose log lines land in `lines`, at the given level. */
function loggedApp(level: string) {
  const lines: string[] = [];
  const app = createHttpApp({
    logger: createLogger('log-test', level, { write: (line: string) => lines.push(line) }),
    metrics: createMetricsRegistry('log-test'),
    readinessChecks: {},
    authentication: { jwtKey: JWT_KEY },
    routes: (express) => {
      express.get('/api/orders/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      express.get('/api/never', () => undefined);
    },
  });
  return { app, lines };
}

describe('request log', () => {
  let token: string;
  const secrets = { cookie: 'session=cookie-secret', stripe: 't=1,v1=signature-secret' };

  beforeAll(async () => {
    token = await signToken(JWT_KEY, { sub: 'alice' });
  });

  /** One request with credentials in every header that carries them; the lines it logged. */
  async function logOf(level: string, path = '/api/orders/42?expand=tickets') {
    const { app, lines } = loggedApp(level);
    await request(app)
      .get(path)
      .set('Authorization', `Bearer ${token}`)
      .set('Cookie', secrets.cookie)
      .set('Set-Cookie', secrets.cookie)
      .set('Stripe-Signature', secrets.stripe)
      .set('X-Request-Id', 'req-42')
      .set('traceparent', `00-${TRACE_ID}-b7ad6b7169203331-01`)
      .set('X-Visible', 'plain-header-value');
    // Written when the response closes, which may come a moment after the client has it.
    await waitFor(() => lines.length > 0);
    return lines;
  }

  function expectNoSecret(text: string) {
    for (const secret of [token, 'cookie-secret', 'signature-secret']) expect(text).not.toContain(secret);
  }

  it('writes one line at info: method, route, status, duration, request, trace and user; no headers', async () => {
    const lines = await logOf('info');
    expect(lines).toHaveLength(1);
    const text = lines[0] as string;
    expect(text.trim().split('\n')).toHaveLength(1);
    const line = JSON.parse(text) as Record<string, unknown>;
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      name: 'log-test',
      service: 'log-test',
      reqId: 'req-42',
      traceId: TRACE_ID,
      method: 'GET',
      route: '/api/orders/:id',
      status: 200,
      durationMs: expect.any(Number),
      userId: 'alice',
      msg: expect.stringMatching(/^GET \/api\/orders\/:id 200 \d+(\.\d)?ms$/),
    });
    expect(text).not.toContain('plain-header-value');
    expectNoSecret(text);
  });

  it('names the path when no route matched', async () => {
    const [text] = await logOf('info', '/api/nowhere/7?x=1');
    expect(JSON.parse(text as string)).toMatchObject({ route: '/api/nowhere/7', status: 404 });
  });

  it('says so when the client went away before the answer', async () => {
    const { app, lines } = loggedApp('info');
    await expect(request(app).get('/api/never').timeout(100)).rejects.toThrow(/Timeout/);
    await waitFor(() => lines.length > 0);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      route: '/api/never',
      aborted: true,
      msg: expect.stringMatching(/\(client went away\)$/),
    });
  });

  it('adds the request with its headers at debug, credentials redacted', async () => {
    const lines = await logOf('debug');
    const requestLines = lines.map((text) => JSON.parse(text)).filter((line) => line.route);
    expect(requestLines).toHaveLength(1);
    const headers = requestLines[0].req.headers as Record<string, string>;
    expect(headers).toMatchObject({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'set-cookie': '[redacted]',
      'stripe-signature': '[redacted]',
      'x-visible': 'plain-header-value',
    });
    expectNoSecret(lines.join('\n'));
  });
});
