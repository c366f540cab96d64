export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** A body or query string that cannot be read as Stripe-style nested parameters. */
export class FormBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormBodyError';
  }
}

const KEY_PATTERN = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

/**
 * Reads `application/x-www-form-urlencoded` text the way Stripe (and Rack) do: `a[b][c]=v` nests objects,
 * `a[]=v` appends to an array, and `a[][b]=v` fills array elements by key. Indexed keys like `a[0]=v`
 * (what the SDK sends for arrays) stay objects with numeric keys; only the reader of a parameter knows it
 * is a list.
 * A repeated plain key keeps its last value.
 */
export function parseFormBody(text: string): FormObject {
  const root = emptyObject();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const key = decode(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? '' : decode(pair.slice(separator + 1));
    const match = KEY_PATTERN.exec(key);
    if (!match) throw new FormBodyError(`Invalid parameter name: ${key}`);
    const [, name = '', brackets = ''] = match;
    const path = [name, ...[...brackets.matchAll(/\[([^[\]]*)\]/g)].map(([, segment = '']) => segment)];
    assign(root, path, value, key);
  }
  return root;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new FormBodyError(`Invalid URL encoding: ${text}`);
  }
}

// Without a prototype, keys such as `__proto__` are plain data.
function emptyObject(): FormObject {
  return Object.create(null) as FormObject;
}

function isObject(value: FormValue | undefined): value is FormObject {
  return typeof value === 'object' && !Array.isArray(value);
}

function assign(target: FormObject | FormValue[], path: string[], value: string, key: string): void {
  const [segment = '', ...rest] = path;
  const next = rest[0];
  if (Array.isArray(target)) {
    if (segment !== '') throw new FormBodyError(`Parameter ${key} mixes an array with named keys`);
    if (next === undefined) {
      target.push(value);
      return;
    }
    if (next === '') throw new FormBodyError(`Nested arrays are not supported: ${key}`);
    const last = target.at(-1);
    // As in Rack, `a[][x]=1&a[][y]=2` fills one element; a key it already has starts the next one.
    const element = isObject(last) && !(next in last) ? last : emptyObject();
    if (element !== last) target.push(element);
    assign(element, rest, value, key);
    return;
  }
  if (segment === '') throw new FormBodyError(`Parameter ${key} mixes an array with named keys`);
  const existing = target[segment];
  if (next === undefined) {
    if (existing !== undefined && typeof existing !== 'string') {
      throw new FormBodyError(`Parameter ${key} is given both as a value and as a nested object`);
    }
    target[segment] = value;
    return;
  }
  const child = existing ?? (next === '' ? [] : emptyObject());
  if (typeof child === 'string') {
    throw new FormBodyError(`Parameter ${key} is given both as a value and as a nested object`);
  }
  if (Array.isArray(child) !== (next === '')) {
    throw new FormBodyError(`Parameter ${key} mixes an array with named keys`);
  }
  target[segment] = child;
  assign(child, rest, value, key);
}
