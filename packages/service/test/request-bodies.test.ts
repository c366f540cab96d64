import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { createHttpApp } from '@ticketing/service';
import { createMetricsRegistry } from '@ticketing/bus';
import { MAX_BODY_DEPTH } from '../src/http/middlewares/json-body';
import { silentLogger } from '@ticketing/testing';

/** Echoes the body back: res.json stringifies it, as an idempotency hash or a validator would walk it. */
const app = createHttpApp({
  logger: silentLogger,
  metrics: createMetricsRegistry('bodies'),
  readinessChecks: {},
  authentication: { jwtKey: 'request-bodies-test-key-0123' },
  routes: (express) => {
    express.post('/echo', (req, res) => {
      res.json({ body: req.body ?? null });
    });
  },
});

const JSON_BODY = Buffer.from('{"ticketId":"t-1"}');

/** A POST of exactly these bytes with these headers: superagent would otherwise re-encode a JSON body. */
function post(bytes: Buffer | string, headers: Record<string, string>) {
  const asIs = (body: Buffer) => body as unknown as string;
  return request(app).post('/echo').set(headers).serialize(asIs).send(Buffer.from(bytes));
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** The API's error shape, with one message. */
const error = (message: string | RegExp) => ({ errors: [{ message: expect.stringMatching(message) }] });

describe('request bodies', () => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('reads a %s body, and answers 400 to one that is not compressed', async (encoding, compress) => {
    const headers = { 'Content-Type': 'application/json', 'Content-Encoding': encoding };
    const compressed = await post(compress(JSON_BODY), headers).expect(200);
    expect(compressed.body).toEqual({ body: { ticketId: 't-1' } });
    const plain = await post(JSON_BODY, headers).expect(400);
    expect(plain.body).toEqual(error('Request body could not be read'));
  });

  it('answers 415 to a Content-Encoding or a charset it does not decode', async () => {
    const compress = await post(JSON_BODY, {
      'Content-Type': 'application/json',
      'Content-Encoding': 'compress',
    }).expect(415);
    expect(compress.body).toEqual(error(/Content-Encoding/));
    const latin1 = await post(JSON_BODY, { 'Content-Type': 'application/json; charset=latin1' }).expect(415);
    expect(latin1.body).toEqual(error(/UTF-8/));
    await post(JSON_BODY, { 'Content-Type': 'application/json; charset=UTF-8' }).expect(200);
  });

  it('answers 413 to a body over 100 kB, 400 to malformed JSON', async () => {
    const large = JSON.stringify({ note: 'x'.repeat(100 * 1024) });
    const tooLarge = await post(large, { 'Content-Type': 'application/json' }).expect(413);
    expect(tooLarge.body).toEqual(error(/too large/));
    const malformed = await post('{"ticketId": ', { 'Content-Type': 'application/json' }).expect(400);
    expect(malformed.body).toEqual(error('Request body is not valid JSON'));
  });

  it(`answers 400 to a body nested deeper than ${MAX_BODY_DEPTH} levels, however deep`, async () => {
    const json = { 'Content-Type': 'application/json' };
    await post(nested(MAX_BODY_DEPTH), json).expect(200);
    const deeper = await post(nested(MAX_BODY_DEPTH + 1), json).expect(400);
    expect(deeper.body).toEqual(error(/nests deeper/));
    // 50,000 levels: parsed fine, but stringifying it back would overflow the stack.
    const deepest = await post(nested(50_000), json).expect(400);
    expect(deepest.body).toEqual(error(/nests deeper/));
    const inObject = await post(`{"a":${nested(MAX_BODY_DEPTH)}}`, json).expect(400);
    expect(inObject.body).toEqual(error(/nests deeper/));
  });

  it('answers 415 to a body that is not JSON, and takes a request without a body', async () => {
    for (const headers of [
      { 'Content-Type': 'text/plain' } as Record<string, string>,
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      {},
    ]) {
      const response = await post('ticketId=t-1', headers).expect(415);
      expect(response.body).toEqual(error(/must be JSON/));
    }
    const empty = await request(app).post('/echo').set('Content-Length', '0').expect(200);
    expect(empty.body).toEqual({ body: null });
  });
});
