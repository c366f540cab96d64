import type { Params } from './params';
import { ParameterError } from './stripe-error';

/** Finds any stored object by id, whatever its kind. */
export type ObjectLookup = (id: string) => object | undefined;

/** The id-valued fields the fake can expand, on an object or, with `data.`, on each object of a list. */
const EXPANDABLE_PATH = /^(data\.)?(latest_charge|payment_method|payment_intent|charge)$/;

/**
 * Reads `expand[]`, before the request does anything, so that a bad path fails the request and changes
 * nothing, as in Stripe.
 */
export function readExpandPaths(params: Params): string[] {
  const paths = params.stringList('expand') ?? [];
  const unsupported = paths.find((path) => !EXPANDABLE_PATH.test(path));
  if (unsupported !== undefined) {
    throw new ParameterError(`This property cannot be expanded (${unsupported}).`, {
      param: params.name('expand'),
    });
  }
  return paths;
}

/** A copy of the response with each expanded id replaced by the object it names. */
export function expandResponse(response: object, paths: readonly string[], lookup: ObjectLookup): object {
  if (paths.length === 0) return response;
  const expanded = structuredClone(response) as Record<string, unknown>;
  for (const path of paths) {
    const [first = '', field] = path.split('.');
    const targets = field === undefined ? [expanded] : listItems(expanded[first]);
    for (const target of targets) expandField(target, field ?? first, lookup);
  }
  return expanded;
}

function listItems(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function expandField(target: Record<string, unknown>, field: string, lookup: ObjectLookup): void {
  const id = target[field];
  const object = typeof id === 'string' ? lookup(id) : undefined;
  if (object !== undefined) target[field] = structuredClone(object);
}
