import type { Request } from 'express';
import { z } from 'zod';
import { readRouteInput } from '../src/http/routes/route-input';
import { RequestValidationError } from '../src/http/errors/request-validation-error';

function request(parts: Partial<Pick<Request, 'params' | 'query' | 'body' | 'headers'>>): Request {
  return { params: {}, query: {}, headers: {}, body: undefined, ...parts } as Request;
}

function fieldsRefused(read: () => unknown): Array<string | undefined> {
  try {
    read();
  } catch (error) {
    if (error instanceof RequestValidationError) return error.fieldErrors.map((item) => item.field);
    throw error;
  }
  throw new Error('the input was accepted');
}

const schemas = {
  params: z.object({ id: z.uuid({ error: 'id must be a UUID' }) }),
  query: z.object({ code: z.string().optional(), tags: z.array(z.string()).optional() }),
  headers: z.object({ 'idempotency-key': z.string().optional() }),
  body: z.object({ title: z.string(), price: z.number().int(), notes: z.array(z.string()).optional() }),
};
const id = '5e0c2a4e-6d4b-4b8e-9e2f-6f3c9a1b2c3d';

describe('reading a route’s input', () => {
  it('hands the handler what the schemas parsed', () => {
    const input = readRouteInput(
      schemas,
      request({
        params: { id },
        query: { code: 'card_declined', tags: ['a', 'b'] },
        headers: { 'idempotency-key': 'k-1', authorization: 'Bearer x' },
        body: { title: 'Opera\nmatinee\t(two lines)', price: 2500, extra: true },
      }),
    );
    expect(input).toEqual({
      params: { id },
      query: { code: 'card_declined', tags: ['a', 'b'] },
      headers: { 'idempotency-key': 'k-1' },
      body: { title: 'Opera\nmatinee\t(two lines)', price: 2500 },
    });
  });

  it('refuses NUL and other control characters anywhere, naming the field', () => {
    expect(fieldsRefused(() => readRouteInput(schemas, request({ params: { id: `${id}\u0000` } })))).toEqual([
      'id',
    ]);
    expect(
      fieldsRefused(() =>
        readRouteInput(
          schemas,
          request({ params: { id }, body: { title: 'a\u0000b', price: 1, notes: ['\u0007'] } }),
        ),
      ),
    ).toEqual(['title', 'notes.0']);
    expect(
      fieldsRefused(() =>
        readRouteInput(schemas, request({ params: { id }, query: { code: '%\u001b[31m' } })),
      ),
    ).toEqual(['code']);
    expect(
      fieldsRefused(() =>
        readRouteInput(schemas, request({ params: { id }, headers: { 'idempotency-key': 'k\u007f' } })),
      ),
    ).toEqual(['idempotency-key']);
  });

  it('refuses a parameter given twice unless the schema takes a list', () => {
    expect(
      fieldsRefused(() => readRouteInput(schemas, request({ params: { id }, query: { code: ['a', 'b'] } }))),
    ).toEqual(['code']);
  });

  it('takes no string for a number: money is never guessed from text', () => {
    expect(
      fieldsRefused(() =>
        readRouteInput(schemas, request({ params: { id }, body: { title: 't', price: '100' } })),
      ),
    ).toEqual(['price']);
  });

  it('lists every field at fault at once', () => {
    expect(
      fieldsRefused(() => readRouteInput(schemas, request({ params: { id: 'nope' }, body: { price: 1.5 } }))),
    ).toEqual(['id', 'title', 'price']);
    expect(
      fieldsRefused(() => readRouteInput(schemas, request({ params: { id }, body: 'not an object' }))),
    ).toEqual(['body']);
  });
});
