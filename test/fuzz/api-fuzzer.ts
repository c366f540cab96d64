import { createHash } from 'node:crypto';
import { parse as parseQueryString } from 'node:querystring';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { signToken } from '@ticketing/service';
import { waitFor } from '@ticketing/testing';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import {
  deepJsonText,
  nastyString,
  queryViolation,
  ref,
  REF_FORMS,
  resolveDeep,
  resolveString,
  resourceKindOf,
  RESOURCE_KINDS,
  REFUSED_CONTROL,
  validValue,
  violation,
  withControlCharacter,
  wrongTypeValue,
  type JsonSchema,
  type Labelled,
  type ResolveRef,
  type ResourceKind,
} from './fuzz-values';
import { NoResponseError, sendRaw, type WireRequest, type WireResponse } from './raw-http';

/**
 * A property-based fuzzer of the HTTP API. It reads the OpenAPI documents the services serve, and for every
 * operation sends requests that are valid by the schema and requests with one to three things wrong:
 * wrong types, repeated parameters, control characters, unpaired surrogates, huge and deeply nested
 * values, JSON that is not JSON, Content-Types, Content-Encodings and charsets that do not match the body,
 * bad credentials. Every answer must be below 500; every 4xx must carry the API's error body
 * `{ errors: [{ message }] }`; a request the schema refuses must not succeed; and after every batch the
 * system must still answer valid requests. Everything generated depends on the seed alone (the resources
 * it refers to are placeholders resolved when the request is sent), so a failure is replayed by its seed
 * and path.
 */

// ---------------------------------------------------------------------------------------------------------
// The operations, from the OpenAPI documents.

interface Parameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
  description?: string;
}

export interface Operation {
  /** `GET /api/tickets/{id}`. */
  key: string;
  method: string;
  path: string;
  authenticated: boolean;
  admin: boolean;
  /** Answers 200 with text/event-stream: only the head is read. */
  stream: boolean;
  /** Stripe's webhook: every request the fuzzer sends it is unsigned, so none may succeed. */
  webhook: boolean;
  pathParams: Array<{ name: string; kind?: ResourceKind }>;
  query: Parameter[];
  headers: Parameter[];
  body?: JsonSchema;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

interface OpenApiOperation {
  security?: unknown[];
  parameters?: Array<Parameter & { in: string }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}

/** What the fuzzer sends Stripe's webhook, which the document leaves undescribed: an event, roughly. */
const WEBHOOK_BODY: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 40 },
    type: {
      type: 'string',
      enum: [
        'payment_intent.succeeded',
        'payment_intent.payment_failed',
        'charge.refunded',
        'refund.updated',
      ],
    },
    created: { type: 'integer', minimum: 1_600_000_000, maximum: 1_900_000_000 },
    data: {
      type: 'object',
      properties: {
        object: {
          type: 'object',
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 30 },
            amount: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
  },
  required: ['id', 'type', 'data'],
};

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      const responses = operation.responses ?? {};
      const webhook = path.includes('/webhooks/');
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        authenticated: Boolean(operation.security?.length),
        admin: path.includes('/admin/') || responses['403']?.description === 'Not an admin',
        stream: Boolean(responses['200']?.content?.['text/event-stream']),
        webhook,
        pathParams: parameters
          .filter((parameter) => parameter.in === 'path')
          .map((parameter) => ({
            name: parameter.name,
            kind: resourceKindOf(parameter.name, path.slice(0, path.indexOf(`{${parameter.name}}`))),
          })),
        query: parameters.filter((parameter) => parameter.in === 'query'),
        headers: parameters
          .filter((parameter) => parameter.in === 'header')
          .map((parameter) => ({
            ...parameter,
            // The document says so in words where the schema cannot (the refund's Idempotency-Key).
            required: parameter.required || /^required\b/i.test(parameter.description ?? ''),
          })),
        body:
          operation.requestBody?.content?.['application/json']?.schema ??
          (webhook ? WEBHOOK_BODY : undefined),
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------------------
// Requests as data: a valid draft, then mutations applied to it in order.

export const AUTH_KINDS = [
  'none',
  'owner',
  'owner-lowercase-scheme',
  'owner-cookie',
  'other-user',
  'admin',
  'admin-cookie',
  'token-without-scheme',
  'basic',
  'empty-bearer',
  'garbage-bearer',
  'tampered-payload',
  'truncated-signature',
  'expired',
  'wrong-key',
  'alg-none',
  'no-sub',
  'sub-nul',
  'sub-control',
  'sub-unicode',
  'sub-huge',
  'admin-sub-nul',
  'roles-not-array',
  'cookie-garbage',
  'cookie-not-json',
  'huge-bearer',
] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

/** Who a credential makes the caller: nobody (a 401 is due), the owner of every fixture, or someone else. */
function identityOf(auth: AuthKind): { who: 'nobody' | 'owner' | 'other'; admin: boolean } {
  switch (auth) {
    case 'owner':
    case 'owner-lowercase-scheme':
    case 'owner-cookie':
      return { who: 'owner', admin: false };
    case 'admin':
    case 'admin-cookie':
    case 'admin-sub-nul':
      return { who: 'other', admin: true };
    case 'other-user':
    case 'sub-nul':
    case 'sub-control':
    case 'sub-unicode':
    case 'sub-huge':
    case 'roles-not-array':
      return { who: 'other', admin: false };
    default:
      return { who: 'nobody', admin: false };
  }
}

export type Body =
  { kind: 'json'; value: unknown } | { kind: 'text'; text: string } | { kind: 'bytes'; hex: string };

export interface Draft {
  path: Record<string, { value: string } | { raw: string }>;
  query: Array<[string, string]>;
  /** Appended to the query string as it is. */
  rawQuery?: string;
  headers: Array<[string, string]>;
  auth: AuthKind;
  body?: Body;
  contentType?: string;
  contentEncoding?: { value: string; compress?: 'gzip' | 'deflate' | 'br' };
}

export type Mutation = { tag: string } & (
  | { kind: 'path'; name: string; value: string }
  | { kind: 'path-raw'; name: string; raw: string }
  | { kind: 'query'; name: string; value?: string }
  | { kind: 'query-repeat'; name: string; values: string[] }
  | { kind: 'query-raw'; raw: string }
  | { kind: 'header'; name: string; value?: string }
  | { kind: 'auth'; auth: AuthKind }
  | { kind: 'field'; name: string; value?: unknown; remove?: true }
  | { kind: 'body'; body?: Body }
  | { kind: 'body-transform'; transform: BodyTransform }
  | { kind: 'content-type'; value?: string }
  | { kind: 'content-encoding'; value: string; compress?: 'gzip' | 'deflate' | 'br' }
);

export interface GeneratedRequest {
  operation: string;
  draft: Draft;
  mutations: Mutation[];
}

const BODY_TRANSFORMS = [
  'trailing garbage',
  'truncated',
  'last duplicate key wrong',
  'byte order mark',
  'whitespace around',
  'as form',
  'wrapped in array',
  'single quotes',
] as const;
type BodyTransform = (typeof BODY_TRANSFORMS)[number];

const uuid = fc.uuid({ version: 4 });
const anyRef = fc
  .tuple(fc.constantFrom(...RESOURCE_KINDS), fc.nat(15))
  .map(([kind, index]) => ({ value: ref(kind, index), label: `${kind} id` }));

const isHeader = (name: string, wanted: string) => name.toLowerCase() === wanted.toLowerCase();

function validDraft(operation: Operation): fc.Arbitrary<Draft> {
  const path = fc.record(
    Object.fromEntries(
      operation.pathParams.map(({ name, kind }) => [
        name,
        (kind ? fc.nat(15).map((index) => ref(kind, index)) : anyRef.map((labelled) => labelled.value)).map(
          (value) => ({ value }),
        ),
      ]),
    ),
  );
  const query = fc.tuple(
    ...operation.query.map((parameter) => {
      const value = validValue(parameter.schema, parameter.name).map((text) => [
        [parameter.name, String(text)],
      ]);
      return parameter.required ? value : fc.option(value, { nil: [], freq: 2 });
    }),
  );
  const headers = fc.tuple(
    ...operation.headers.map((header) => {
      let value: fc.Arbitrary<string>;
      if (isHeader(header.name, 'Idempotency-Key')) value = uuid;
      else if (isHeader(header.name, 'Last-Event-ID'))
        value = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 8, maxLength: 64 });
      else
        value = validValue(
          { type: 'string', minLength: 1, maxLength: 40 },
          header.name,
        ) as fc.Arbitrary<string>;
      const entry = value.map((text) => [[header.name, text]]);
      return header.required ? entry : fc.option(entry, { nil: [], freq: 4 });
    }),
  );
  const auth: fc.Arbitrary<AuthKind> = operation.admin
    ? fc.constant('admin')
    : operation.authenticated
      ? fc.constant('owner')
      : fc.constantFrom<AuthKind>('none', 'owner');
  const body = operation.body
    ? validValue(operation.body).map((value): Body => ({ kind: 'json', value }))
    : fc.constant(undefined);
  return fc.record({ path, query, headers, auth, body }).map((parts): Draft => ({
    path: parts.path,
    query: (parts.query as Array<Array<[string, string]>>).flat(),
    headers: (parts.headers as Array<Array<[string, string]>>).flat(),
    auth: parts.auth,
    ...(parts.body && { body: parts.body, contentType: 'application/json' }),
  }));
}

const RAW_PATH_SEGMENTS = [
  '%',
  '%zz',
  '%E0%A4',
  '%ED%A0%80',
  '%C0%AF',
  '%FF%FE',
  '%00',
  '%2F',
  '%2e%2e',
  '..',
  '.',
  '',
  '%25',
  '%0D%0A',
  ';x=1',
  '*',
  'ünïcödé',
  '🎟️',
];

const RAW_QUERIES = [
  '&&',
  '=',
  '=x',
  '%',
  '%zz=1',
  '%00=1',
  '__proto__=1',
  'constructor[prototype][x]=1',
  '&=&==',
];

const AUTH_WEIGHTS: Array<{ arbitrary: fc.Arbitrary<AuthKind>; weight: number }> = [
  { weight: 3, arbitrary: fc.constantFrom<AuthKind>('none', 'other-user', 'admin', 'owner') },
  { weight: 4, arbitrary: fc.constantFrom(...AUTH_KINDS) },
];

const CONTENT_TYPES: string[] = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'application/json-patch+json',
  'APPLICATION/JSON',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=utf-16le',
  'application/json; charset=utf-32',
  'application/json; charset=utf-foo',
  'application/json; charset=foo',
  'application/json; charset=',
  'application/json; charset="utf-8"',
  'application/json;;',
  'application/json, text/plain',
  'application/jsonx',
  '*/*',
  'json',
  '',
  'application/json; boundary=🎟️',
];

const CONTENT_ENCODINGS: Array<{ value: string; compress?: 'gzip' | 'deflate' | 'br' }> = [
  { value: 'gzip' },
  { value: 'deflate' },
  { value: 'br' },
  { value: 'x-gzip' },
  { value: 'compress' },
  { value: 'zstd' },
  { value: 'gzip, deflate' },
  { value: 'GZIP' },
  { value: 'identity' },
  { value: '' },
  { value: 'gzip', compress: 'gzip' },
  { value: 'deflate', compress: 'deflate' },
  { value: 'br', compress: 'br' },
];

const OTHER_HEADERS: Array<[string, string]> = [
  ['Accept', 'text/event-stream'],
  ['Accept', 'application/xml'],
  ['Accept', ''],
  ['Accept-Encoding', 'gzip, br'],
  ['Cookie', 'session=%%%'],
  ['Cookie', 'session='],
  ['X-Forwarded-For', 'not-an-address, ::1, 999.1.1.1'],
  ['X-Forwarded-Proto', 'gopher'],
  ['X-Forwarded-Host', '🎟️.example'],
  ['Origin', 'null'],
  ['Range', 'bytes=0-1'],
  ['If-None-Match', '*'],
  ['If-Modified-Since', 'yesterday'],
  ['X-HTTP-Method-Override', 'DELETE'],
  ['X-Request-Id', "'; drop table x; --"],
  ['Traceparent', '00-zzzz-zzzz-01'],
  ['Expect', '100-continue'],
];

const WEBHOOK_SIGNATURES = [
  't=1,v1=deadbeef',
  't=abc,v1=',
  'v1=0000000000000000000000000000000000000000000000000000000000000000',
  `t=1700000000,v1=${'a'.repeat(64)},v0=${'b'.repeat(64)}`,
  'garbage',
  '',
  't=9999999999999999999999,v1=xx',
];

/** One arbitrary per field of the body (each of its kinds of wrongness), and one for a field it lacks. */
function fieldMutations(operation: Operation): Array<fc.WeightedArbitrary<Mutation>> {
  const schema = operation.body as JsonSchema;
  const field = (name: string, value: Labelled): Mutation => ({
    kind: 'field',
    name,
    value: value.value,
    tag: `body.${name}: ${value.label}`,
  });
  const mutations = Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    weight: 3,
    arbitrary: fc.oneof(
      {
        weight: 3,
        arbitrary: wrongTypeValue(property, validValue(property, name)).map((wrong) => field(name, wrong)),
      },
      {
        weight: 4,
        arbitrary: withControlCharacter(validValue(property, name).map(String)).map((text) =>
          field(name, text),
        ),
      },
      { weight: 2, arbitrary: nastyString(150_000).map((text) => field(name, text)) },
      {
        weight: 1,
        arbitrary: fc.constant<Mutation>({ kind: 'field', name, remove: true, tag: `body.${name}: missing` }),
      },
      ...(property.format === 'uuid'
        ? [
            {
              weight: 2,
              arbitrary: fc
                .tuple(fc.constantFrom(...RESOURCE_KINDS), fc.nat(15), fc.constantFrom(...REF_FORMS))
                .map(([kind, index, form]) =>
                  field(name, {
                    value: ref(kind, index, form),
                    label: `${kind} id${form === 'plain' ? '' : ` (${form})`}`,
                  }),
                ),
            },
          ]
        : []),
    ),
  }));
  mutations.push({
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('extra', '__proto__', 'constructor', 'id', 'userId', 'status', 'admin', ''),
        fc.oneof(wrongTypeValue({}, fc.constant(1)), nastyString(60_000)),
      )
      .map(([name, value]): Mutation => ({
        kind: 'field',
        name,
        value: value.value,
        tag: `body extra field ${JSON.stringify(name)}: ${value.label}`,
      })),
  });
  return mutations;
}

const BODY_REPLACEMENTS: Array<fc.Arbitrary<Mutation>> = [
  fc
    .constantFrom<[string, unknown]>(
      ['null', null],
      ['array', []],
      ['number', 0],
      ['string', 'str'],
      ['true', true],
      ['empty object', {}],
    )
    .map(([label, value]): Mutation => ({
      kind: 'body',
      body: { kind: 'json', value },
      tag: `body: ${label}`,
    })),
  fc
    .constantFrom(
      '',
      ' ',
      '{',
      '{"a":',
      "{'a':1}",
      '{"a":1,}',
      'NaN',
      '\u0000',
      '{"a":1}{"b":2}',
      'undefined',
      '{"a":"\\u0000"}',
      '{"a":"\\ud800"}',
      '{"a":1e999999}',
      '[' + '1,'.repeat(10) + ']',
      '{"__proto__":{"admin":true}}',
    )
    .map((text): Mutation => ({
      kind: 'body',
      body: { kind: 'text', text },
      tag: `body: invalid JSON ${JSON.stringify(text)}`,
    })),
  fc
    .tuple(fc.constantFrom(1_000, 20_000, 49_000), fc.constantFrom<'array' | 'object'>('array', 'object'))
    .map(([depth, shape]): Mutation => ({
      kind: 'body',
      body: { kind: 'text', text: deepJsonText(depth, shape) },
      tag: `body: ${shape}s nested ${depth} deep`,
    })),
  fc.constantFrom(5_000, 200_000).map((keys): Mutation => ({
    kind: 'body',
    body: { kind: 'text', text: `{${Array.from({ length: keys }, (_, n) => `"k${n}":${n}`).join(',')}}` },
    tag: `body: object with ${keys} keys`,
  })),
  fc.constantFrom(100_000, 1_000_000).map((size): Mutation => ({
    kind: 'body',
    body: { kind: 'text', text: `{"title":"${'x'.repeat(size)}"}` },
    tag: `body: huge (${size} bytes)`,
  })),
  fc
    .constantFrom<[string, string]>(
      ['invalid UTF-8', 'fffe7b7d'],
      ['UTF-8 encoded surrogate', '7b2274223a22eda080227d'],
      ['overlong UTF-8', '7b2274223a22c0af227d'],
      ['UTF-16LE JSON', 'fffe7b002200610022003a0031007d00'],
      ['binary zeros', '00000000'],
    )
    .map(([label, hex]): Mutation => ({ kind: 'body', body: { kind: 'bytes', hex }, tag: `body: ${label}` })),
  fc
    .constantFrom(...BODY_TRANSFORMS)
    .map((transform): Mutation => ({ kind: 'body-transform', transform, tag: `body: ${transform}` })),
];

function mutationArbitrary(operation: Operation): fc.Arbitrary<Mutation> {
  const options: Array<{ weight: number; arbitrary: fc.Arbitrary<Mutation> }> = [];
  const add = (weight: number, arbitrary: fc.Arbitrary<Mutation>) => options.push({ weight, arbitrary });

  for (const { name, kind } of operation.pathParams) {
    add(
      3,
      fc.oneof(
        anyRef.map((id): Mutation => ({
          kind: 'path',
          name,
          value: id.value,
          tag: `path.${name}: ${id.label}`,
        })),
        uuid.map((value): Mutation => ({ kind: 'path', name, value, tag: `path.${name}: unknown UUID` })),
        fc.tuple(fc.nat(15), fc.constantFrom(...REF_FORMS)).map(([index, form]): Mutation => ({
          kind: 'path',
          name,
          value: ref(kind ?? 'order', index, form),
          tag: `path.${name}: id (${form})`,
        })),
        nastyString(10_000).map((text): Mutation => ({
          kind: 'path',
          name,
          value: text.value,
          tag: `path.${name}: ${text.label}`,
        })),
        withControlCharacter(fc.nat(15).map((index) => ref(kind ?? 'order', index))).map(
          (text): Mutation => ({ kind: 'path', name, value: text.value, tag: `path.${name}: ${text.label}` }),
        ),
        fc.constantFrom(...RAW_PATH_SEGMENTS).map((segment): Mutation => ({
          kind: 'path-raw',
          name,
          raw: segment,
          tag: `path.${name}: raw ${JSON.stringify(segment)}`,
        })),
      ),
    );
  }

  if (operation.query.length > 0) {
    const queryMutation = ({ name, schema }: Parameter): fc.Arbitrary<Mutation> => {
      const valid = validValue(schema, name).map(String);
      const set = (text: Labelled<string>): Mutation => ({
        kind: 'query',
        name,
        value: text.value,
        tag: `query.${name}: ${text.label}`,
      });
      return fc.oneof(
        {
          weight: 2,
          arbitrary: wrongTypeValue(schema, validValue(schema, name)).map((wrong) =>
            set({
              value: typeof wrong.value === 'string' ? wrong.value : JSON.stringify(wrong.value),
              label: wrong.label,
            }),
          ),
        },
        { weight: 2, arbitrary: nastyString(10_000).map(set) },
        { weight: 3, arbitrary: withControlCharacter(valid).map(set) },
        {
          weight: 1,
          arbitrary: fc.constant<Mutation>({ kind: 'query', name, tag: `query.${name}: missing` }),
        },
        {
          weight: 3,
          arbitrary: fc.tuple(valid, valid, fc.boolean()).map(([first, second, thrice]): Mutation => ({
            kind: 'query-repeat',
            name,
            values: thrice ? [first, second, first] : [first, second],
            tag: `query.${name}: repeated`,
          })),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(
              `${name}[]=1`,
              `${name}[a]=1`,
              name,
              `${name}=`,
              `${name}=%ED%A0%80`,
              `${name}=%00`,
              `${name}=a+b`,
              `${name}=%zz`,
            )
            .map((text): Mutation => ({
              kind: 'query-raw',
              raw: text,
              tag: `query: raw ${JSON.stringify(text)}`,
            })),
        },
      );
    };
    add(4, fc.constantFrom(...operation.query).chain(queryMutation));
  }
  add(
    1,
    fc.oneof(
      fc.constantFrom(...RAW_QUERIES).map((text): Mutation => ({
        kind: 'query-raw',
        raw: text,
        tag: `query: raw ${JSON.stringify(text)}`,
      })),
      nastyString(10_000).map((text): Mutation => ({
        kind: 'query',
        name: 'unknown',
        value: text.value,
        tag: `query.unknown: ${text.label}`,
      })),
    ),
  );

  for (const header of operation.headers) {
    const { name } = header;
    add(
      2,
      fc.oneof(
        nastyString(10_000).map((text): Mutation => ({
          kind: 'header',
          name,
          value: text.value,
          tag: `header ${name}: ${text.label}`,
        })),
        fc.constant<Mutation>({ kind: 'header', name, tag: `header ${name}: missing` }),
        fc.constantFrom('', ' ', 'x'.repeat(256), 'k'.repeat(255)).map((value): Mutation => ({
          kind: 'header',
          name,
          value,
          tag: `header ${name}: length ${value.length}`,
        })),
        fc.constantFrom('fuzz-key-1', 'fuzz-key-2').map((value): Mutation => ({
          kind: 'header',
          name,
          value,
          tag: `header ${name}: a key used again`,
        })),
      ),
    );
  }
  add(
    1,
    fc.oneof(
      fc.constantFrom(...OTHER_HEADERS).map(([name, value]): Mutation => ({
        kind: 'header',
        name,
        value,
        tag: `header ${name}: ${JSON.stringify(value)}`,
      })),
      fc
        .tuple(
          fc.constantFrom('Authorization', 'Idempotency-Key', 'Last-Event-ID', 'X-Fuzz'),
          withControlCharacter(fc.constant('abc')),
        )
        .map(([name, text]): Mutation => ({
          kind: 'header',
          name,
          value: text.value,
          tag: `header ${name}: raw ${text.label}`,
        })),
    ),
  );

  add(
    2,
    fc.oneof(...AUTH_WEIGHTS).map((auth): Mutation => ({ kind: 'auth', auth, tag: `auth: ${auth}` })),
  );

  if (operation.body) {
    for (const { weight, arbitrary } of fieldMutations(operation)) add(weight, arbitrary);
    add(3, fc.oneof(...BODY_REPLACEMENTS));
    add(
      2,
      fc.constantFrom(...CONTENT_TYPES, undefined).map((value): Mutation => ({
        kind: 'content-type',
        value,
        tag: `Content-Type: ${value === undefined ? 'missing' : JSON.stringify(value)}`,
      })),
    );
    add(
      2,
      fc.constantFrom(...CONTENT_ENCODINGS).map((encoding): Mutation => ({
        kind: 'content-encoding',
        ...encoding,
        tag: `Content-Encoding: ${JSON.stringify(encoding.value)} (${encoding.compress ? 'compressed' : 'plain'} body)`,
      })),
    );
  } else {
    add(
      1,
      fc.oneof(
        fc.constant<Mutation>({
          kind: 'body',
          body: { kind: 'json', value: { a: 1 } },
          tag: 'body on a bodiless request',
        }),
        fc.constant<Mutation>({
          kind: 'body',
          body: { kind: 'text', text: '{' },
          tag: 'invalid JSON body on a bodiless request',
        }),
      ),
    );
  }
  if (operation.webhook) {
    add(
      3,
      fc.constantFrom(...WEBHOOK_SIGNATURES).map((value): Mutation => ({
        kind: 'header',
        name: 'Stripe-Signature',
        value,
        tag: `header Stripe-Signature: ${JSON.stringify(value)}`,
      })),
    );
  }
  return fc.oneof(...options);
}

/** For each request: an operation, a valid draft of it, and none to three mutations. */
export function requestArbitrary(operations: Operation[]): fc.Arbitrary<GeneratedRequest> {
  return fc.oneof(
    ...operations.map((operation) =>
      fc
        .tuple(
          validDraft(operation),
          // Mostly one thing wrong, so that each reaches as far as it can; sometimes nothing, sometimes more.
          fc.oneof(
            { weight: 1, arbitrary: fc.constant<Mutation[]>([]) },
            { weight: 4, arbitrary: fc.array(mutationArbitrary(operation), { minLength: 1, maxLength: 1 }) },
            { weight: 2, arbitrary: fc.array(mutationArbitrary(operation), { minLength: 2, maxLength: 3 }) },
          ),
        )
        .map(([draft, mutations]): GeneratedRequest => ({ operation: operation.key, draft, mutations })),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// From data to the wire, and what the answer must be.

export interface FuzzContext {
  url: string;
  operations: Operation[];
  resolve: ResolveRef;
  tokens: Record<string, string>;
  /** Send bodies over UNREAD_BODY_LIMIT that the service will not read (see FuzzOptions). */
  largeUnparsedBodies: boolean;
}

/**
 * The largest body sent, unless asked otherwise, that the service answers without reading (not JSON, an
 * unknown encoding): a larger one races the entry point's upload against the service's early answer.
 */
export const UNREAD_BODY_LIMIT = 60_000;

/** Percent-encodes every byte but the unreserved characters, an unpaired surrogate as its WTF-8 bytes. */
function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    if (/^[A-Za-z0-9\-._~]$/.test(char)) {
      out += char;
      continue;
    }
    const code = char.codePointAt(0) as number;
    const bytes =
      code < 0x80
        ? [code]
        : code < 0x800
          ? [0xc0 | (code >> 6), 0x80 | (code & 0x3f)]
          : code < 0x10000
            ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
            : [
                0xf0 | (code >> 18),
                0x80 | ((code >> 12) & 0x3f),
                0x80 | ((code >> 6) & 0x3f),
                0x80 | (code & 0x3f),
              ];
    out += bytes.map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

function authHeaders(auth: AuthKind, tokens: Record<string, string>): Array<[string, string]> {
  const bearer = (token: string): Array<[string, string]> => [['Authorization', `Bearer ${token}`]];
  const cookie = (content: string): Array<[string, string]> => [['Cookie', `session=${content}`]];
  const session = (jwt: unknown) => Buffer.from(JSON.stringify({ jwt })).toString('base64');
  switch (auth) {
    case 'none':
      return [];
    case 'owner-lowercase-scheme':
      return [['Authorization', `bearer ${tokens.owner}`]];
    case 'owner-cookie':
      return cookie(session(tokens.owner));
    case 'admin-cookie':
      return cookie(session(tokens.admin));
    case 'token-without-scheme':
      return [['Authorization', tokens.owner as string]];
    case 'basic':
      return [['Authorization', `Basic ${Buffer.from('fuzz-alice:secret').toString('base64')}`]];
    case 'empty-bearer':
      return [['Authorization', 'Bearer ']];
    case 'garbage-bearer':
      return bearer('not.a.jwt');
    case 'huge-bearer':
      return bearer('a'.repeat(12_000));
    case 'cookie-garbage':
      return cookie('%E0%A4%A');
    case 'cookie-not-json':
      return cookie(Buffer.from('{"jwt": 5').toString('base64'));
    default:
      return bearer(tokens[auth] as string);
  }
}

/** The tokens the auth kinds stand for: made once, before anything is generated. */
export async function makeTokens(jwtKey: string): Promise<Record<string, string>> {
  const key = new TextEncoder().encode(jwtKey);
  const sign = (
    claims: Record<string, unknown>,
    { sub, expired = false }: { sub?: string; expired?: boolean } = {},
  ) => {
    let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
    if (sub !== undefined) jwt = jwt.setSubject(sub);
    return jwt.setExpirationTime(expired ? Math.floor(Date.now() / 1000) - 3600 : '12h').sign(key);
  };
  const owner = await signToken(jwtKey, { sub: 'fuzz-alice', expiresIn: '12h' });
  const [header, payload, signature] = owner.split('.') as [string, string, string];
  const forged = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['admin'] }),
  ).toString('base64url');
  const unsigned = (claims: object) =>
    `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
  return {
    owner,
    admin: await signToken(jwtKey, { sub: 'fuzz-admin', admin: true, expiresIn: '12h' }),
    'other-user': await signToken(jwtKey, { sub: 'fuzz-bob', expiresIn: '12h' }),
    'tampered-payload': `${header}.${forged}.${signature}`,
    'truncated-signature': owner.slice(0, -4),
    expired: await sign({ roles: [] }, { sub: 'fuzz-alice', expired: true }),
    'wrong-key': await signToken('not-the-key-at-all-not-the-key-at-all', { sub: 'fuzz-alice' }),
    'alg-none': unsigned({ sub: 'fuzz-alice', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 3600 }),
    'no-sub': await sign({ roles: [] }),
    'sub-nul': await signToken(jwtKey, { sub: 'fuzz\u0000nul', expiresIn: '12h' }),
    'sub-control': await signToken(jwtKey, { sub: 'fuzz\u0001\u001b[31mred', expiresIn: '12h' }),
    'sub-unicode': await signToken(jwtKey, { sub: '🎟️ مرحبا \uD800', expiresIn: '12h' }),
    'sub-huge': await signToken(jwtKey, { sub: 'u'.repeat(8_000), expiresIn: '12h' }),
    'admin-sub-nul': await signToken(jwtKey, { sub: 'admin\u0000nul', admin: true, expiresIn: '12h' }),
    'roles-not-array': await sign({ roles: 'admin' }, { sub: 'fuzz-carol' }),
  };
}

function applyTransform(text: string, transform: BodyTransform): { text: string; contentType?: string } {
  switch (transform) {
    case 'trailing garbage':
      return { text: `${text}x` };
    case 'truncated':
      return { text: text.slice(0, -1) };
    case 'last duplicate key wrong': {
      const first = /^\{"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
      if (!first || text === '{}') return { text };
      return { text: `${text.slice(0, -1)},"${first}":[[]]}` };
    }
    case 'byte order mark':
      return { text: `\uFEFF${text}` };
    case 'whitespace around':
      return { text: ` \n\t${text}\r\n ` };
    case 'as form':
      return { text: 'title=x&price=1', contentType: 'application/x-www-form-urlencoded' };
    case 'wrapped in array':
      return { text: `[${text}]` };
    case 'single quotes':
      return { text: text.replaceAll('"', "'") };
  }
}

export interface Rendered {
  wire: WireRequest;
  /** Why the service must refuse this request; empty when it may succeed. */
  invalid: string[];
  /** The mutations that changed something (a field of a body that is no object changes nothing). */
  applied: Mutation[];
  stream: boolean;
}

const JSON_BODY_LIMIT = 100 * 1024;

/** The body as body-parser reads it: undefined when it is no JSON it accepts. */
function readAsJson(bytes: Buffer): { value?: unknown; problem?: string } {
  if (bytes.length > JSON_BODY_LIMIT) return { problem: 'body over 100kb' };
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.length === 0) return { value: {} };
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return { problem: 'body is not a JSON object or array' };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { problem: 'body is not JSON' };
  }
}

/** Which Content-Types express.json reads, and whether a charset it names is one it decodes as UTF-8. */
function jsonContentType(value: string | undefined): 'json' | 'not json' | 'unknown' {
  if (value === undefined) return 'not json';
  const normalized = value.toLowerCase().replace(/\s+/g, '');
  if (normalized === 'application/json' || normalized === 'application/json;charset=utf-8') return 'json';
  if (normalized.startsWith('application/json;') || normalized.startsWith('application/json,'))
    return 'unknown';
  return 'not json';
}

/** Another UUID for a request sent again, derived from the first so that the report stays the same. */
function freshKey(key: string, resend: string): string {
  const hex = createHash('sha256').update(`${key}/${resend}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The request on the wire, and why the service must refuse it if it must. `resend` marks a request sent
 * again (to find the fewest mutations that fail): its generated Idempotency-Key gets the suffix, so that
 * the first answer is not replayed, or the key refused for another request.
 */
export function render(
  context: FuzzContext,
  generated: GeneratedRequest,
  mutations = generated.mutations,
  resend?: string,
): Rendered {
  const operation = context.operations.find(
    (candidate) => candidate.key === generated.operation,
  ) as Operation;
  const draft: Draft = structuredClone(generated.draft);
  const applied: Mutation[] = [];
  let bodyText: string | undefined;
  for (const mutation of mutations) {
    let changed = true;
    switch (mutation.kind) {
      case 'path':
        draft.path[mutation.name] = { value: mutation.value };
        break;
      case 'path-raw':
        draft.path[mutation.name] = { raw: mutation.raw };
        break;
      case 'query':
        draft.query = draft.query.filter(([name]) => name !== mutation.name);
        if (mutation.value !== undefined) draft.query.push([mutation.name, mutation.value]);
        break;
      case 'query-repeat':
        draft.query = [
          ...draft.query.filter(([name]) => name !== mutation.name),
          ...mutation.values.map((value): [string, string] => [mutation.name, value]),
        ];
        break;
      case 'query-raw':
        draft.rawQuery = draft.rawQuery ? `${draft.rawQuery}&${mutation.raw}` : mutation.raw;
        break;
      case 'header':
        draft.headers = draft.headers.filter(([name]) => name.toLowerCase() !== mutation.name.toLowerCase());
        if (mutation.value !== undefined) draft.headers.push([mutation.name, mutation.value]);
        break;
      case 'auth':
        draft.auth = mutation.auth;
        break;
      case 'field': {
        const body = draft.body;
        if (
          body?.kind !== 'json' ||
          body.value === null ||
          typeof body.value !== 'object' ||
          Array.isArray(body.value)
        ) {
          changed = false;
          break;
        }
        const record = body.value as Record<string, unknown>;
        if (mutation.remove) delete record[mutation.name];
        else
          Object.defineProperty(record, mutation.name, {
            value: mutation.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        break;
      }
      case 'body':
        draft.body = mutation.body;
        if (mutation.body && !draft.contentType) draft.contentType = 'application/json';
        break;
      case 'body-transform': {
        if (!draft.body) {
          changed = false;
          break;
        }
        const text = bodyTextOf(draft.body, context.resolve);
        const transformed = applyTransform(text, mutation.transform);
        draft.body = { kind: 'text', text: transformed.text };
        if (transformed.contentType) draft.contentType = transformed.contentType;
        break;
      }
      case 'content-type':
        if (mutation.value === undefined) delete draft.contentType;
        else draft.contentType = mutation.value;
        break;
      case 'content-encoding':
        draft.contentEncoding = {
          value: mutation.value,
          ...(mutation.compress && { compress: mutation.compress }),
        };
        break;
    }
    if (changed) applied.push(mutation);
  }

  const invalid: string[] = [];
  const resolve = (text: string) => resolveString(text, context.resolve);

  // The path, and what the router will make of each parameter.
  let path = operation.path;
  for (const { name } of operation.pathParams) {
    const part = draft.path[name] ?? { value: '' };
    const segment = 'raw' in part ? part.raw : percentEncode(resolve(part.value));
    path = path.replace(`{${name}}`, segment);
    try {
      if (REFUSED_CONTROL.test(decodeURIComponent(segment))) invalid.push(`path.${name}: control character`);
    } catch {
      invalid.push(`path.${name}: not decodable`);
    }
  }
  const queryParts = draft.query.map(
    ([name, value]) => `${percentEncode(resolve(name))}=${percentEncode(resolve(value))}`,
  );
  if (draft.rawQuery !== undefined) queryParts.push(draft.rawQuery);
  const queryString = queryParts.join('&');
  const target = queryString ? `${path}?${queryString}` : path;
  const seen = parseQueryString(queryString);
  for (const parameter of operation.query) {
    const value = seen[parameter.name];
    if (Array.isArray(value)) invalid.push(`query.${parameter.name}: repeated`);
    else if (value === undefined) {
      if (parameter.required) invalid.push(`query.${parameter.name}: missing`);
    } else {
      const problem = queryViolation(parameter.schema, value, `query.${parameter.name}`);
      if (problem) invalid.push(problem);
    }
  }

  // Headers and credentials.
  const generatedKey = generated.draft.headers.find(([name]) => isHeader(name, 'Idempotency-Key'))?.[1];
  const headers: Array<[string, string]> = [
    ...authHeaders(draft.auth, context.tokens),
    ...draft.headers.map(([name, value]): [string, string] => [
      name,
      resend && isHeader(name, 'Idempotency-Key') && value === generatedKey
        ? freshKey(value, resend)
        : resolve(value),
    ]),
  ];
  for (const header of operation.headers) {
    const value = headers.find(([name]) => name.toLowerCase() === header.name.toLowerCase())?.[1];
    if (value === undefined) {
      if (header.required) invalid.push(`header ${header.name}: missing`);
    } else if (isHeader(header.name, 'Idempotency-Key')) {
      const length = Buffer.byteLength(value.trim());
      if (length < 1 || length > 255) invalid.push(`header ${header.name}: not 1 to 255 characters`);
    }
  }
  const identity = identityOf(draft.auth);
  if (operation.authenticated && identity.who === 'nobody')
    invalid.push(`auth: ${draft.auth} is no valid credential`);
  else if (operation.admin && !identity.admin) invalid.push(`auth: ${draft.auth} is not an admin`);
  else if (operation.authenticated && !operation.admin && identity.who === 'other' && !identity.admin) {
    const text = JSON.stringify([draft.path, draft.query, draft.body ?? null]);
    const ownsSomething =
      /\uE000(order|payment|attempt):/.test(text) ||
      (operation.method === 'PUT' && /\uE000ticket:/.test(text));
    if (ownsSomething) invalid.push(`auth: ${draft.auth} does not own the resource`);
  }
  if (operation.webhook) invalid.push('webhook: no valid signature');

  // The body, and whether body-parser and the route will take it.
  let body: Buffer | undefined;
  if (draft.body) {
    bodyText = bodyTextOf(draft.body, context.resolve);
    let plain =
      draft.body.kind === 'bytes' ? Buffer.from(draft.body.hex, 'hex') : Buffer.from(bodyText, 'utf8');
    const compress = draft.contentEncoding?.compress;
    // body-parser takes a missing or empty Content-Encoding for identity, and reads the body (or drains it)
    // only when it is JSON in an encoding it knows; otherwise the service answers without reading it.
    const encoding = (draft.contentEncoding?.value ?? '').trim().toLowerCase() || 'identity';
    const type = jsonContentType(draft.contentType);
    const drained = type === 'json' && ['identity', 'gzip', 'deflate', 'br'].includes(encoding);
    if (!drained && !context.largeUnparsedBodies && plain.length > UNREAD_BODY_LIMIT) {
      plain = plain.subarray(0, UNREAD_BODY_LIMIT);
    }
    body = plain;
    if (compress === 'gzip') body = gzipSync(plain);
    else if (compress === 'deflate') body = deflateSync(plain);
    else if (compress === 'br') body = brotliCompressSync(plain);
    if (operation.body) {
      if (type === 'not json') invalid.push('body: not sent as application/json');
      else if (type === 'json') {
        if (encoding !== 'identity' && encoding !== compress)
          invalid.push(`body: not encoded as ${encoding}`);
        else {
          const read = readAsJson(plain);
          if (read.problem) invalid.push(read.problem);
          else {
            // The text was resolved already: the value holds ids, not placeholders.
            const problem = violation(operation.body, read.value, 'body');
            if (problem) invalid.push(problem);
          }
        }
      }
    }
  } else if (operation.body) {
    invalid.push('body: missing');
  }
  if (draft.contentType !== undefined) headers.push(['Content-Type', draft.contentType]);
  if (draft.contentEncoding) headers.push(['Content-Encoding', draft.contentEncoding.value]);

  return {
    wire: { method: operation.method, target, headers, ...(body && { body }) },
    invalid,
    applied,
    stream: operation.stream,
  };
}

function bodyTextOf(body: Body, resolveRef: ResolveRef): string {
  if (body.kind === 'text') return resolveString(body.text, resolveRef);
  if (body.kind === 'bytes') return Buffer.from(body.hex, 'hex').toString('utf8');
  return JSON.stringify(resolveDeep(body.value, resolveRef)) ?? 'null';
}

export type FailureKind =
  '5xx' | 'bad 4xx body' | 'accepted invalid request' | 'no answer' | 'unhealthy after batch';

export interface Verdict {
  /** What the answer was, for the statistics: a status, `no answer`, or `parser 400` for the HTTP parser's refusals. */
  outcome: string;
  failure?: { kind: FailureKind; message: string };
}

/**
 * Node's HTTP parser refuses a request it cannot parse (a control character in a header, a head over 16 KB)
 * before any application code sees it, with a bare `400`/`431` and `Connection: close`: no body at all.
 */
function isParserRefusal(response: WireResponse): boolean {
  return (
    response.status >= 400 &&
    response.status < 500 &&
    Object.keys(response.headers).join() === 'connection' &&
    response.body.length === 0
  );
}

/** What is wrong with a 4xx body, if anything. */
export function errorBodyProblem(response: WireResponse): string | undefined {
  if (!(response.headers['content-type'] ?? '').includes('json'))
    return `Content-Type ${JSON.stringify(response.headers['content-type'] ?? null)}`;
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    return 'body is not JSON';
  }
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return 'no errors array';
  if (!errors.every((error) => typeof (error as { message?: unknown } | null)?.message === 'string'))
    return 'an error without a string message';
  return undefined;
}

function firstMessage(response: WireResponse): string {
  try {
    const message = (JSON.parse(response.body.toString('utf8')) as { errors?: Array<{ message?: unknown }> })
      .errors?.[0]?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text itself
  }
  return truncate(response.body.toString('utf8'), 80);
}

export function judge(
  rendered: Rendered,
  answer: WireResponse | NoResponseError,
  strictParser: boolean,
): Verdict {
  if (answer instanceof NoResponseError)
    return { outcome: 'no answer', failure: { kind: 'no answer', message: answer.code } };
  if (isParserRefusal(answer)) {
    return {
      outcome: `parser ${answer.status}`,
      ...(strictParser && {
        failure: { kind: 'bad 4xx body', message: `HTTP parser's bare ${answer.status}` },
      }),
    };
  }
  const outcome = String(answer.status);
  if (answer.status >= 500) return { outcome, failure: { kind: '5xx', message: firstMessage(answer) } };
  if (answer.status >= 400) {
    const problem = errorBodyProblem(answer);
    return problem ? { outcome, failure: { kind: 'bad 4xx body', message: problem } } : { outcome };
  }
  if (answer.status < 300 && rendered.invalid.length > 0)
    return { outcome, failure: { kind: 'accepted invalid request', message: rendered.invalid[0] as string } };
  return { outcome };
}

// ---------------------------------------------------------------------------------------------------------
// Reports.

export function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}… (${text.length} characters)`;
}

/** Control characters, unpaired surrogates and invisible separators as `\uXXXX`; everything else as it is. */
export function escapeInvisible(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what it escapes
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The request as a developer would retype it: invisible characters escaped, long parts cut, and the
 * fuzzer's tokens by name (`<owner token>`: see `makeTokens`; `npm run token` makes one alike).
 */
export function describeRequest(wire: WireRequest, tokens: Record<string, string> = {}): string[] {
  const named = (text: string) =>
    Object.entries(tokens).reduce((out, [name, token]) => out.replaceAll(token, `<${name} token>`), text);
  const show = (text: string, length: number) => truncate(escapeInvisible(named(text)), length);
  const lines = [`${wire.method} ${show(wire.target, 400)}`];
  for (const [name, value] of wire.headers) lines.push(`${name}: ${show(value, 200)}`);
  if (wire.body) lines.push(`body (${wire.body.length} bytes): ${show(wire.body.toString('utf8'), 400)}`);
  return lines;
}

export interface FailureExample {
  runIndex: number;
  generated: GeneratedRequest;
  /** The fewest mutations that still fail the same way. */
  cause: Mutation[];
  request: string[];
  status: string;
  answer: string;
}

export interface FailureClass {
  kind: FailureKind;
  operation: string;
  status: string;
  message: string;
  /** How many requests of the run failed this way. */
  count: number;
  /** Each distinct cause found among them, with a request that shows it. */
  causes: Array<{ tags: string[]; example: FailureExample }>;
}

export interface FuzzReport {
  seed: number;
  /** How to replay one request of this run: the command, without `--path`. */
  replay: string;
  runs: number;
  requests: number;
  outcomes: Record<string, number>;
  perOperation: Record<string, number>;
  operations: string[];
  failures: FailureClass[];
  durationMs: number;
  failedRequests: number;
}

export function describeFuzzReport(report: FuzzReport): string[] {
  const sorted = (record: Record<string, number>) =>
    Object.entries(record)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, count]) => `${key} ×${count}`)
      .join(', ');
  const fiveHundreds = Object.entries(report.outcomes)
    .filter(([outcome]) => /^5\d\d$/.test(outcome))
    .reduce((sum, [, count]) => sum + count, 0);
  const lines = [
    `fuzz: seed ${report.seed}, ${report.runs} runs, ${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s`,
    `statuses: ${sorted(report.outcomes)}`,
    `5xx answers: ${fiveHundreds}; failing requests: ${report.failedRequests}; distinct failures: ${report.failures.reduce((sum, failure) => sum + failure.causes.length, 0)}`,
    `operations: ${report.operations.length}, requests each: ${report.operations.map((operation) => report.perOperation[operation] ?? 0).join(' ')}`,
  ];
  if (report.failures.length > 0) {
    lines.push(
      "tokens shown by name: <owner token> is fuzz-alice's, who owns every id the requests use; <admin token>",
      "fuzz-admin's, with the admin role; <other-user token> fuzz-bob's; the rest are odd on purpose (makeTokens).",
    );
  }
  for (const failure of report.failures) lines.push('', ...describeFailure(report.replay, failure));
  return lines;
}

export function describeFailure(replay: string, failure: FailureClass): string[] {
  const lines = [
    `FAIL ${failure.kind}: ${failure.operation} → ${failure.status} ${JSON.stringify(failure.message)} (${failure.count} requests)`,
  ];
  for (const { tags, example } of failure.causes) {
    const extra = example.generated.mutations.length - example.cause.length;
    lines.push(
      `  cause: ${tags.length > 0 ? tags.join(' + ') : 'a request valid by the schema'}`,
      `  replay: ${replay} --path ${example.runIndex}${extra > 0 ? ` (it sends ${extra} more change(s))` : ''}`,
      ...example.request.map((line) => `    ${line}`),
      `    → ${example.status} ${truncate(example.answer, 200)}`,
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------
// The run.

export interface FuzzOptions {
  url: string;
  jwtKey: string;
  runs: number;
  seed: number;
  /** Replays this one run (fast-check's path). */
  path?: string;
  /** Requests between two checks that the system still answers valid requests. */
  batchSize?: number;
  timeoutMs?: number;
  /** Count the HTTP parser's bare 400s as failures too. */
  strictParser?: boolean;
  /**
   * Send bodies over UNREAD_BODY_LIMIT the service does not read as they are, rather than cut to the limit.
   * The entry point then answers 503 now and then: the service answers early and closes the connection
   * while the entry point is still sending it the body. A real finding, but a random one.
   */
  largeUnparsedBodies?: boolean;
  /** Fewest-mutations search for each failure (a few requests more per distinct failure). */
  minimize?: boolean;
  log?: (line: string) => void;
}

interface Fixtures {
  ticket: string[];
  order: string[];
  payment: string[];
  attempt: string[];
}

async function call(url: string, method: string, path: string, token: string, body?: object) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body && { 'Content-Type': 'application/json' }) },
    ...(body && { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: (await response.json().catch(() => null)) as Record<string, unknown>,
  };
}

/** What the requests refer to: tickets, orders, payments and attempts of one buyer, in several states. */
async function createFixtures(url: string, token: string): Promise<Fixtures> {
  const fixtures: Fixtures = { ticket: [], order: [], payment: [], attempt: [] };
  // Prices high enough that a run's refunds of a few cents each never use a payment up.
  for (let n = 0; n < 10; n++) {
    const ticket = await call(url, 'POST', '/api/tickets', token, {
      title: `Fuzz show ${n}`,
      price: 1_000_000 + n,
    });
    if (ticket.status !== 201)
      throw new Error(`could not create a ticket: ${ticket.status} ${JSON.stringify(ticket.body)}`);
    fixtures.ticket.push(ticket.body.id as string);
  }
  for (const ticketId of fixtures.ticket.slice(0, 8)) {
    const order = await call(url, 'POST', '/api/orders', token, { ticketId });
    if (order.status !== 201)
      throw new Error(`could not create an order: ${order.status} ${JSON.stringify(order.body)}`);
    fixtures.order.push(order.body.id as string);
  }
  // Five paid, one declined, one waiting for 3-D Secure, one not paid for.
  const methods = [
    ...Array<string>(5).fill('pm_card_visa'),
    'pm_card_chargeDeclined',
    'pm_card_authenticationRequired',
  ];
  for (const [index, paymentMethod] of methods.entries()) {
    const orderId = fixtures.order[index] as string;
    await waitFor(
      async () => {
        const paid = await call(url, 'POST', '/api/payments', token, { orderId, paymentMethod });
        return paid.status !== 404;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: `payments to know order ${orderId}` },
    );
    const state = await call(url, 'GET', `/api/payments/orders/${orderId}`, token);
    const { attempts, payment } = state.body as {
      attempts?: Array<{ id: string }>;
      payment?: { id: string } | null;
    };
    for (const attempt of attempts ?? []) fixtures.attempt.push(attempt.id);
    if (payment) fixtures.payment.push(payment.id);
  }
  for (const kind of RESOURCE_KINDS)
    if (fixtures[kind].length === 0) throw new Error(`no ${kind} to refer to`);
  return fixtures;
}

/** Whether the system still answers valid requests, and if not, what it answered. */
async function unhealthy(context: FuzzContext): Promise<string | undefined> {
  const checks: Array<[string, string | undefined]> = [
    ['/api/tickets?limit=1', undefined],
    ['/api/orders?limit=1', context.tokens.owner],
    [`/api/payments?orderId=${context.resolve('order', 0)}`, context.tokens.owner],
    ['/api/payments/admin/stuck', context.tokens.admin],
  ];
  for (const [target, token] of checks) {
    try {
      const answer = await sendRaw(context.url, {
        method: 'GET',
        target,
        headers: token ? [['Authorization', `Bearer ${token}`]] : [],
      });
      if (answer.status !== 200)
        return `GET ${target.split('?')[0]} → ${answer.status} ${firstMessage(answer)}`;
      JSON.parse(answer.body.toString('utf8'));
    } catch (error) {
      return `GET ${target.split('?')[0]} → ${(error as Error).message}`;
    }
  }
  return undefined;
}

async function waitUntilHealthy(context: FuzzContext, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await unhealthy(context)) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 250));
}

async function exchange(context: FuzzContext, rendered: Rendered, options: FuzzOptions) {
  try {
    return await sendRaw(context.url, rendered.wire, {
      timeoutMs: options.timeoutMs ?? 10_000,
      stopAtEventStream: rendered.stream,
    });
  } catch (error) {
    if (error instanceof NoResponseError) return error;
    throw error;
  }
}

const describeAnswer = (answer: WireResponse | NoResponseError) =>
  answer instanceof NoResponseError
    ? answer.message
    : answer.streamed
      ? '(event stream)'
      : answer.body.toString('utf8');

/** Reads both services' documents through the entry point. */
export async function loadOperations(url: string): Promise<Operation[]> {
  const operations: Operation[] = [];
  for (const service of ['orders', 'payments']) {
    const response = await fetch(`${url}/api/${service}/openapi.json`);
    if (response.status !== 200) throw new Error(`GET /api/${service}/openapi.json → ${response.status}`);
    operations.push(...operationsOf((await response.json()) as OpenApiDocument));
  }
  return operations;
}

/**
 * Runs `runs` generated requests from `seed` against a running system, one at a time, checking every answer
 * and, after every batch, that the system still answers valid ones; then searches each distinct failure for
 * the fewest mutations that still cause it.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const startedAt = Date.now();
  const log = options.log ?? (() => undefined);
  const batchSize = options.batchSize ?? 50;
  const operations = await loadOperations(options.url);
  const tokens = await makeTokens(options.jwtKey);
  const fixtures = await createFixtures(options.url, tokens.owner as string);
  const context: FuzzContext = {
    url: options.url,
    operations,
    tokens,
    largeUnparsedBodies: options.largeUnparsedBodies ?? false,
    resolve: (kind, index) => {
      const pool = fixtures[kind];
      return pool[index % pool.length] as string;
    },
  };
  log(
    `fuzz: ${operations.length} operations, seed ${options.seed}, ${options.path === undefined ? `${options.runs} runs` : `replaying path ${options.path}`}`,
  );

  const outcomes: Record<string, number> = {};
  const perOperation: Record<string, number> = {};
  const failing = new Map<
    string,
    {
      kind: FailureKind;
      operation: string;
      status: string;
      message: string;
      examples: Array<{ runIndex: number; generated: GeneratedRequest }>;
    }
  >();
  let requests = 0;
  let failedRequests = 0;
  let runIndex = options.path === undefined ? 0 : Number(options.path.split(':')[0]);
  const record = (
    kind: FailureKind,
    operation: string,
    status: string,
    message: string,
    example?: { runIndex: number; generated: GeneratedRequest },
  ) => {
    failedRequests++;
    const key = [kind, operation, status, message].join('|');
    const entry = failing.get(key) ?? { kind, operation, status, message, examples: [] };
    failing.set(key, entry);
    if (example) entry.examples.push(example);
  };

  const property = fc.asyncProperty(requestArbitrary(operations), async (generated) => {
    const index = runIndex++;
    const rendered = render(context, generated);
    const answer = await exchange(context, rendered, options);
    const verdict = judge(rendered, answer, options.strictParser ?? true);
    requests++;
    outcomes[verdict.outcome] = (outcomes[verdict.outcome] ?? 0) + 1;
    perOperation[generated.operation] = (perOperation[generated.operation] ?? 0) + 1;
    if (verdict.failure) {
      record(verdict.failure.kind, generated.operation, verdict.outcome, verdict.failure.message, {
        runIndex: index,
        generated,
      });
      log(
        `  path ${index}: ${verdict.failure.kind} ${generated.operation} → ${verdict.outcome} ${truncate(verdict.failure.message, 100)}`,
      );
      // A service that fell over is restarted: wait, so that the failures after it are its own.
      if (verdict.outcome === 'no answer' || verdict.outcome === '503') await waitUntilHealthy(context);
    }
    if (requests % batchSize === 0) {
      const problem = await unhealthy(context);
      if (problem) {
        record('unhealthy after batch', `batch ending at path ${index}`, 'valid request refused', problem);
        await waitUntilHealthy(context);
      }
      if (requests % (batchSize * 10) === 0) log(`  ${requests} requests, ${failedRequests} failing`);
    }
    return true;
  });
  const result = await fc.check(property, {
    seed: options.seed,
    ...(options.path === undefined ? { numRuns: options.runs } : { path: options.path, numRuns: 1 }),
  });
  if (result.failed) throw result.errorInstance ?? new Error('the fuzzer itself failed');
  const finalProblem = await unhealthy(context);
  if (finalProblem)
    record('unhealthy after batch', 'after the last request', 'valid request refused', finalProblem);

  const failures: FailureClass[] = [];
  for (const entry of failing.values()) {
    const failure: FailureClass = { ...entry, count: entry.examples.length || 1, causes: [] };
    // The simplest examples first, one per set of mutations: each may show a different cause.
    const candidates = [...entry.examples]
      .sort((a, b) => a.generated.mutations.length - b.generated.mutations.length || a.runIndex - b.runIndex)
      .filter((example, position, all) => {
        const tags = example.generated.mutations
          .map((mutation) => mutation.tag)
          .sort()
          .join('\n');
        return (
          all.findIndex(
            (other) =>
              other.generated.mutations
                .map((mutation) => mutation.tag)
                .sort()
                .join('\n') === tags,
          ) === position
        );
      })
      .slice(0, 4);
    for (const candidate of candidates) {
      const cause =
        options.minimize === false
          ? candidate.generated.mutations
          : await minimize(context, candidate.generated, entry, options);
      const rendered = render(context, candidate.generated, cause, 'shown');
      const answer = await exchange(context, rendered, options);
      const tags = rendered.applied.map((mutation) => mutation.tag).sort();
      if (failure.causes.some((known) => known.tags.join('\n') === tags.join('\n'))) continue;
      failure.causes.push({
        tags,
        example: {
          runIndex: candidate.runIndex,
          generated: candidate.generated,
          cause,
          request: describeRequest(rendered.wire, context.tokens),
          status: answer instanceof NoResponseError ? 'no answer' : String(answer.status),
          answer: describeAnswer(answer),
        },
      });
    }
    failures.push(failure);
  }
  failures.sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) ||
      a.operation.localeCompare(b.operation) ||
      a.status.localeCompare(b.status),
  );
  return {
    seed: options.seed,
    replay: `npm run fuzz -- --seed ${options.seed}${context.largeUnparsedBodies ? '' : ' --cut-unread-bodies'}`,
    runs: options.runs,
    requests,
    outcomes,
    perOperation,
    operations: operations.map((operation) => operation.key),
    failures,
    durationMs: Date.now() - startedAt,
    failedRequests,
  };
}

/** Drops mutations one at a time, from the last, while the request still fails the same way. */
async function minimize(
  context: FuzzContext,
  generated: GeneratedRequest,
  failure: { kind: FailureKind; status: string; message: string },
  options: FuzzOptions,
): Promise<Mutation[]> {
  if (failure.kind === 'unhealthy after batch') return generated.mutations;
  let kept = [...generated.mutations];
  for (let position = kept.length - 1; position >= 0; position--) {
    const fewer = kept.filter((_, index) => index !== position);
    const rendered = render(context, generated, fewer, `retry-${position}`);
    const answer = await exchange(context, rendered, options);
    const verdict = judge(rendered, answer, options.strictParser ?? true);
    if (
      verdict.failure?.kind === failure.kind &&
      verdict.outcome === failure.status &&
      verdict.failure.message === failure.message
    )
      kept = fewer;
    if (verdict.outcome === 'no answer' || verdict.outcome === '503') await waitUntilHealthy(context);
  }
  return kept;
}
