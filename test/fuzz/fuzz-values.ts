import fc from 'fast-check';

/** The subset of JSON Schema (2020-12) that the services' OpenAPI documents use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
  default?: unknown;
}

/** A generated value with what it is, for the report and for telling failures apart. */
export interface Labelled<T = unknown> {
  value: T;
  label: string;
}

// ---------------------------------------------------------------------------------------------------------
// References to resources the fuzzer created: generated as placeholders, resolved when the request is sent,
// so that the generated values depend on the seed alone.

export const RESOURCE_KINDS = ['ticket', 'order', 'payment', 'attempt'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** How a reference is written: as it is, or spoilt in a way a client might spoil it. */
export const REF_FORMS = [
  'plain',
  'upper',
  'truncated',
  'extended',
  'no-hyphens',
  'braces',
  'urn',
  'padded',
] as const;
export type RefForm = (typeof REF_FORMS)[number];

const MARK = '\uE000';
const PLACEHOLDER = /\uE000(\w+):(\d+):([\w-]+)\uE000/g;

export function ref(kind: ResourceKind, index: number, form: RefForm = 'plain'): string {
  return `${MARK}${kind}:${index}:${form}${MARK}`;
}

export const isRef = (value: string) => value.startsWith(MARK) && value.endsWith(MARK);

function spoil(id: string, form: string): string {
  switch (form) {
    case 'upper':
      return id.toUpperCase();
    case 'truncated':
      return id.slice(0, -1);
    case 'extended':
      return `${id}0`;
    case 'no-hyphens':
      return id.replaceAll('-', '');
    case 'braces':
      return `{${id}}`;
    case 'urn':
      return `urn:uuid:${id}`;
    case 'padded':
      return ` ${id} `;
    default:
      return id;
  }
}

export type ResolveRef = (kind: ResourceKind, index: number) => string;

/** Every placeholder in the string replaced by the id it stands for. */
export function resolveString(value: string, resolve: ResolveRef): string {
  return value.replace(PLACEHOLDER, (_match, kind: string, index: string, form: string) =>
    spoil(resolve(kind as ResourceKind, Number(index)), form),
  );
}

/** Every placeholder in a JSON value (keys too) replaced. */
export function resolveDeep(value: unknown, resolve: ResolveRef): unknown {
  if (typeof value === 'string') return resolveString(value, resolve);
  if (Array.isArray(value)) return value.map((item) => resolveDeep(item, resolve));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [resolveString(key, resolve), resolveDeep(item, resolve)]),
    );
  }
  return value;
}

/** Which resource a parameter or field names: `orderId` an order; `id` after `/tickets/` a ticket. */
export function resourceKindOf(name: string, pathBefore = ''): ResourceKind | undefined {
  const fromName = /^(ticket|order|payment|attempt)Id$/.exec(name)?.[1];
  if (fromName) return fromName as ResourceKind;
  if (name !== 'id') return undefined;
  const segment = /\/(tickets|orders|payments|attempts)\/?$/.exec(pathBefore)?.[1];
  return segment ? (segment.slice(0, -1) as ResourceKind) : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Strings no one expects.

/** C0 controls but tab, line feed and carriage return, and DEL: what the services refuse in any string. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
export const REFUSED_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function controlLabel(code: number): string {
  if (code === 0) return 'NUL';
  if (code === 0x7f) return 'DEL';
  if (code === 0x09 || code === 0x0a || code === 0x0d) return `whitespace control U+${hex(code)}`;
  if (code < 0x20) return 'C0 control';
  return 'C1 control';
}

const hex = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');

const controlChar: fc.Arbitrary<Labelled<string>> = fc
  .oneof(
    // NUL most: PostgreSQL refuses it in text, where it refuses no other character.
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 0x1f }) },
    { weight: 1, arbitrary: fc.constantFrom(0x7f, 0x80, 0x85, 0x9f) },
  )
  .map((code) => ({ value: String.fromCharCode(code), label: controlLabel(code) }));

/** Inserts without splitting a reference placeholder (which then counts as one character). */
function insert(into: string, what: string, where: 'start' | 'middle' | 'end'): string {
  if (where === 'start') return what + into;
  if (where === 'end' || isRef(into)) return into + what;
  const middle = Math.floor(into.length / 2);
  // Never between the halves of a surrogate pair: that would be a second change.
  const at = /[\uDC00-\uDFFF]/.test(into[middle] ?? '') ? middle + 1 : middle;
  return into.slice(0, at) + what + into.slice(at);
}

/** A valid value with a control character put in it: the one thing wrong with it. */
export function withControlCharacter(valid: fc.Arbitrary<string>): fc.Arbitrary<Labelled<string>> {
  return fc
    .tuple(
      valid,
      controlChar,
      fc.constantFrom('start', 'middle', 'end') as fc.Arbitrary<'start' | 'middle' | 'end'>,
    )
    .map(([value, control, where]) => ({ value: insert(value, control.value, where), label: control.label }));
}

const UNICODE: Array<[string, string]> = [
  ['emoji', '🎟️🎶'],
  ['emoji ZWJ sequence', '👩‍👩‍👧‍👦'],
  ['flag', '🇺🇦'],
  ['RTL text', 'مرحبا بالعالم'],
  ['RTL override', 'abc\u202Edcba'],
  ['combining marks', 'e\u0301\u0302\u0303'],
  ['zalgo', 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇'],
  ['zero-width', 'a\u200Bb\u200C\u200D\uFEFF'],
  ['line separators', 'a\u2028b\u2029c\u0085'],
  ['lone high surrogate', 'a\uD800b'],
  ['lone low surrogate', '\uDC00'],
  ['half an emoji', 'ticket \uD83C'],
  ['non-BMP', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎'],
  ['fullwidth digits', '１２３'],
  ['noncharacters', '\uFFFE\uFFFF'],
  ['private use', '\uE000\uF8FF'],
];

const TRICKY: Array<[string, string]> = [
  ['empty', ''],
  ['spaces', '   '],
  ['SQL', "'; drop table tickets; --"],
  ['LIKE wildcards', '%_%\\'],
  ['percent', '%'],
  ['percent escape', '%00'],
  ['format string', '%s%n%x'],
  ['template', '${7*7}{{7*7}}'],
  ['path traversal', '../../etc/passwd'],
  ['HTML', '<script>alert(1)</script>'],
  ['quote and backslash', '"\\\''],
  ['number-like', '1e309'],
  ['negative number-like', '-1'],
  ['NaN', 'NaN'],
  ['null-like', 'null'],
  ['boolean-like', 'true'],
  ['prototype key', '__proto__'],
  ['constructor', 'constructor'],
  ['JSON text', '{"a":[1]}'],
  ['CRLF', 'a\r\nb'],
];

/** A string of any UTF-16 code units: unpaired surrogates, controls and noncharacters included. */
const anyUtf16 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 30 })
  .map((units) => String.fromCharCode(...units));

export const HUGE_LENGTHS = [300, 5_000, 60_000, 150_000] as const;

/** Strings to put where a string goes; `maxHuge` bounds the longest (headers and URLs have limits). */
export function nastyString(maxHuge: number = 150_000): fc.Arbitrary<Labelled<string>> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...UNICODE).map(([label, value]) => ({ value, label })) },
    { weight: 3, arbitrary: fc.constantFrom(...TRICKY).map(([label, value]) => ({ value, label })) },
    {
      weight: 2,
      arbitrary: withControlCharacter(fc.constantFrom('x', 'show', 'abc def')),
    },
    { weight: 1, arbitrary: anyUtf16.map((value) => ({ value, label: 'random UTF-16 units' })) },
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map((value) => ({
        value,
        label: 'random graphemes',
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...HUGE_LENGTHS.filter((length) => length <= maxHuge))
        .map((length) => ({ value: 'x'.repeat(length), label: `huge string (${length})` })),
    },
  );
}

// ---------------------------------------------------------------------------------------------------------
// JSON that is not what it should be.

function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** Deep JSON values as text: building them as objects would take the generator's stack. */
export function deepJsonText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + '1' + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Values of the wrong JSON type for `schema` (and some of the right type that break its limits). */
export function wrongTypeValue(schema: JsonSchema, valid: fc.Arbitrary<unknown>): fc.Arbitrary<Labelled> {
  const types = typesOf(schema);
  const options: Array<fc.WeightedArbitrary<Labelled>> = [
    {
      weight: 2,
      arbitrary: fc.constantFrom<Labelled>(
        { value: null, label: 'null' },
        { value: true, label: 'boolean' },
        { value: [], label: 'empty array' },
        { value: {}, label: 'empty object' },
        { value: { $gt: '' }, label: 'operator object' },
        { value: nested(200, 'array'), label: 'nested array (200)' },
        { value: nested(200, 'object'), label: 'nested object (200)' },
      ),
    },
    { weight: 1, arbitrary: valid.map((value) => ({ value: [value], label: 'the value in an array' })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ value, label: 'random JSON' })) },
  ];
  if (types.includes('string')) {
    options.push({
      weight: 2,
      arbitrary: fc.constantFrom<Labelled>(
        { value: 0, label: 'number' },
        { value: 1.5, label: 'fraction' },
        { value: -1, label: 'negative number' },
      ),
    });
  }
  if (types.includes('integer') || types.includes('number')) {
    // A number in a string is what a lenient reading lets through: the likeliest to be taken.
    options.push(
      { weight: 4, arbitrary: valid.map((value) => ({ value: String(value), label: 'number as string' })) },
      {
        weight: 3,
        arbitrary: fc.constantFrom<Labelled>(
          { value: 1.5, label: 'fraction' },
          { value: '1e3', label: 'exponent string' },
          { value: '0x10', label: 'hex string' },
          { value: ' 7 ', label: 'padded number string' },
          { value: '', label: 'empty string' },
          { value: 'abc', label: 'word' },
          { value: 0, label: 'zero' },
          { value: -1, label: 'negative' },
          { value: 2 ** 53 + 2, label: 'beyond safe integers' },
          { value: 1e308, label: '1e308' },
        ),
      },
    );
  }
  return fc.oneof(...options);
}

// ---------------------------------------------------------------------------------------------------------
// Valid values, from the schema.

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  return [];
}

/** Realistic values for fields the schema leaves open, so that requests get past the first checks. */
export const FIELD_HINTS: Record<string, unknown[]> = {
  paymentMethod: [
    'pm_card_visa',
    'pm_card_chargeDeclined',
    'pm_card_authenticationRequired',
    'pm_card_mastercard',
  ],
  token: ['tok_visa', 'tok_chargeDeclined'],
  currency: ['usd', 'eur', 'gbp', 'jpy'],
  Prefer: ['respond-async'],
};

const readableString = (minLength: number, maxLength: number) =>
  fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength, maxLength }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
    )
    .map((text) => {
      // Valid means valid: no control characters, and the length in UTF-16 units as zod counts it.
      let clean = text.replace(new RegExp(REFUSED_CONTROL.source, 'g'), 'x');
      while (clean.length > maxLength) clean = Array.from(clean).slice(0, -1).join('');
      return clean.length < minLength ? clean.padEnd(minLength, 'x') : clean;
    });

const isoDate = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

/**
 * A value valid for `schema`. `name` picks a hint or, for a UUID that names a resource, a reference to one
 * the fuzzer created (mostly) or to none.
 */
export function validValue(schema: JsonSchema, name = '', refKind?: ResourceKind): fc.Arbitrary<unknown> {
  if (schema.anyOf ?? schema.oneOf) {
    const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[];
    return fc.oneof(...options.map((option) => validValue(option, name, refKind)));
  }
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const hint = FIELD_HINTS[name];
  const types = typesOf(schema);
  const type = types.find((candidate) => candidate !== 'null') ?? 'string';
  switch (type) {
    case 'string': {
      if (schema.format === 'uuid') {
        const kind = refKind ?? resourceKindOf(name);
        const random = fc.uuid({ version: 4 });
        if (!kind) return random;
        return fc.oneof(
          { weight: 6, arbitrary: fc.nat(15).map((index) => ref(kind, index)) },
          { weight: 1, arbitrary: random },
        );
      }
      if (schema.format === 'date-time') return isoDate;
      if (hint) {
        return fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...hint) },
          {
            weight: 1,
            arbitrary: readableString(schema.minLength ?? 0, Math.min(schema.maxLength ?? 40, 40)),
          },
        );
      }
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return readableString(schema.minLength ?? 0, Math.min(schema.maxLength ?? 40, 40));
    }
    case 'integer':
    case 'number': {
      const min =
        schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000_000);
      const max =
        schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000);
      // Mostly small amounts: a refund of a few cents leaves something to refund next time.
      const small = fc.integer({ min, max: Math.min(max, min + 500) });
      const whole = fc.integer({ min, max: Math.min(max, Number.MAX_SAFE_INTEGER) });
      return fc.oneof(
        { weight: 4, arbitrary: small },
        { weight: 1, arbitrary: whole },
        fc.constantFrom(min, max),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(schema.items ?? {}, name), { maxLength: 3 });
    case 'object':
      return validObject(schema);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * Optional fields a valid request always sends: a refund without an amount refunds all that is left, and one
 * such request would leave nothing to refund for the rest of the run (a mutation still leaves it out).
 */
export const ALWAYS_SENT = new Set(['amount']);

/** The required properties always, each optional one half of the time. */
export function validObject(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set([...(schema.required ?? []), ...ALWAYS_SENT]);
  const entries = Object.entries(properties).map(([name, property]) => {
    const value = validValue(property, name);
    return fc.tuple(
      fc.constant(name),
      required.has(name) ? value : fc.option(value, { nil: undefined, freq: 2 }),
    );
  });
  return fc
    .tuple(...entries)
    .map((pairs) => Object.fromEntries(pairs.filter(([, value]) => value !== undefined)));
}

// ---------------------------------------------------------------------------------------------------------
// Whether a value is valid: what the fuzzer expects the service to refuse.

/**
 * Why `value` does not satisfy `schema`, or undefined when it does. Strings count UTF-16 units, as zod
 * does, and a string holding a control character is refused, as the services refuse every one.
 */
export function violation(schema: JsonSchema, value: unknown, where: string): string | undefined {
  const options = schema.anyOf ?? schema.oneOf;
  if (options) {
    const problems = options.map((option) => violation(option, value, where));
    return problems.some((problem) => problem === undefined) ? undefined : problems[0];
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value))
    return `${where}: not the constant`;
  if (schema.enum && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value)))
    return `${where}: not one of ${schema.enum.join(', ')}`;
  const types = typesOf(schema);
  if (value === null) return types.includes('null') ? undefined : `${where}: null`;
  if (types.length > 0) {
    const matches = types.some((type) => {
      switch (type) {
        case 'string':
          return typeof value === 'string';
        case 'integer':
          return typeof value === 'number' && Number.isInteger(value);
        case 'number':
          return typeof value === 'number' && Number.isFinite(value);
        case 'boolean':
          return typeof value === 'boolean';
        case 'array':
          return Array.isArray(value);
        case 'object':
          return typeof value === 'object' && !Array.isArray(value);
        default:
          return true;
      }
    });
    if (!matches) return `${where}: not ${types.join(' or ')}`;
  }
  if (typeof value === 'string') {
    if (REFUSED_CONTROL.test(value)) return `${where}: control character`;
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return `${where}: shorter than ${schema.minLength}`;
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      return `${where}: longer than ${schema.maxLength}`;
    if (schema.pattern && !new RegExp(schema.pattern).test(value))
      return `${where}: not ${schema.format ?? 'the pattern'}`;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return `${where}: below ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `${where}: above ${schema.maximum}`;
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      return `${where}: too small`;
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
      return `${where}: too large`;
  }
  if (Array.isArray(value) && schema.items) {
    for (const [index, item] of value.entries()) {
      const problem = violation(schema.items, item, `${where}[${index}]`);
      if (problem) return problem;
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && schema.properties) {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (record[name] === undefined) return `${where}.${name}: missing`;
    }
    for (const [name, property] of Object.entries(schema.properties)) {
      if (record[name] === undefined) continue;
      const problem = violation(property, record[name], `${where}.${name}`);
      if (problem) return problem;
    }
    if (schema.additionalProperties === false) {
      const extra = Object.keys(record).find((name) => !(name in (schema.properties ?? {})));
      if (extra) return `${where}.${extra}: not allowed`;
    }
  }
  return undefined;
}

/**
 * Why a query parameter's text does not satisfy its schema. Numbers are read as the services coerce them
 * (`Number(text)`), so `0x10` or ` 7 ` count as numbers: a lenient reading is not what this looks for.
 */
export function queryViolation(schema: JsonSchema, text: string, where: string): string | undefined {
  const types = typesOf(schema);
  if (REFUSED_CONTROL.test(text)) return `${where}: control character`;
  if (types.includes('integer') || types.includes('number')) {
    if (text.trim() === '') return `${where}: empty`;
    return violation(schema, Number(text), where);
  }
  if (types.includes('boolean'))
    return text === 'true' || text === 'false' ? undefined : `${where}: not a boolean`;
  return violation(schema, text, where);
}
