import { ParameterError, StripeError } from './stripe-error';

type ParamValues = Readonly<Record<string, unknown>>;

export interface NumberRange {
  min?: number;
  max?: number;
}

/** A plain decimal as a form sends it: `1`, `0.25`, `.5`; no exponent, no `Infinity`. */
const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;

function isRecord(value: unknown): value is ParamValues {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Typed, validating access to a request's parameters. Values come from form bodies (all strings) or, on the
 * fake's own endpoints, from JSON; both are accepted. Errors are ParameterErrors that name the parameter the
 * way Stripe does, including its nesting, e.g. `payment_method_data[card][token]`.
 */
export class Params {
  constructor(
    private readonly values: ParamValues,
    private readonly prefix = '',
  ) {}

  name(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}[${key}]`;
  }

  /** True when the parameter was sent, even as an empty string. */
  has(key: string): boolean {
    return Object.hasOwn(this.values, key);
  }

  /** The value as sent, for readers with their own rules (such as metadata). */
  raw(key: string): unknown {
    return this.has(key) ? this.values[key] : undefined;
  }

  /** Stripe reads an empty string as "not set". */
  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw this.invalid(key, 'Invalid string');
    return value;
  }

  requiredString(key: string): string {
    return this.required(key, this.string(key));
  }

  oneOf<const T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw this.invalid(key, `Invalid ${this.name(key)}: must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  requiredOneOf<const T extends string>(key: string, allowed: readonly T[]): T {
    return this.required(key, this.oneOf(key, allowed));
  }

  integer(key: string, range: NumberRange = {}): number | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
      throw this.invalid(key, `Invalid integer: ${String(value)}`, 'parameter_invalid_integer');
    }
    return this.inRange(key, number, range, 'parameter_invalid_integer');
  }

  requiredInteger(key: string, range: NumberRange = {}): number {
    return this.required(key, this.integer(key, range));
  }

  /** A decimal, such as a rate; Stripe's own parameters are integers, so only the fake's controls use this. */
  decimal(key: string, range: NumberRange = {}): number | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    const number = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw this.invalid(key, `Invalid decimal: ${String(value)}`);
    }
    return this.inRange(key, number, range);
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw this.invalid(key, `Invalid boolean: ${String(value)}`);
  }

  /** Arrays arrive as `a[]=x`, as `a[0]=x` (an object keyed by index) or, from JSON, as arrays. */
  stringList(key: string): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    const items = Array.isArray(value) ? value : isRecord(value) ? indexedItems(value) : undefined;
    if (items === undefined || !items.every((item) => typeof item === 'string')) {
      throw this.invalid(key, `Invalid array: ${this.name(key)}`);
    }
    return items;
  }

  nested(key: string): Params | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    if (!isRecord(value)) throw this.invalid(key, `Invalid object: ${this.name(key)}`);
    return new Params(value, this.name(key));
  }

  /** Stripe refuses parameters an endpoint does not know, which catches typos that would otherwise pass. */
  rejectUnknown(known: readonly string[]): void {
    const unknown = Object.keys(this.values).find((key) => key !== 'expand' && !known.includes(key));
    if (unknown !== undefined) {
      throw new ParameterError(`Received unknown parameter: ${this.name(unknown)}`, {
        code: 'parameter_unknown',
        param: this.name(unknown),
      });
    }
  }

  invalid(key: string, message: string, code?: string): ParameterError {
    return new ParameterError(message, { param: this.name(key), ...(code && { code }) });
  }

  private inRange(key: string, number: number, range: NumberRange, code?: string): number {
    if (range.min !== undefined && number < range.min) {
      throw this.invalid(key, `This value must be greater than or equal to ${range.min}.`, code);
    }
    if (range.max !== undefined && number > range.max) {
      throw this.invalid(key, `This value must be less than or equal to ${range.max}.`, code);
    }
    return number;
  }

  private required<T>(key: string, value: T | undefined): T {
    if (value === undefined) throw StripeError.parameterMissing(this.name(key));
    return value;
  }
}

function indexedItems(value: ParamValues): unknown[] | undefined {
  const keys = Object.keys(value);
  if (!keys.every((key) => /^\d+$/.test(key))) return undefined;
  return keys.sort((a, b) => Number(a) - Number(b)).map((key) => value[key]);
}
