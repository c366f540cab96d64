import type { Params } from './params';
import { StripeError } from './stripe-error';

export interface ListPage<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before'] as const;

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

/**
 * One page of a Stripe list, newest first. `starting_after` continues past an object towards older ones;
 * `ending_before` pages back towards newer ones.
 */
export function listPage<T extends { id: string }>(
  oldestFirst: readonly T[],
  params: Params,
  url: string,
  objectName: string,
): ListPage<T> {
  const limit = params.integer('limit', { min: 1, max: MAX_LIMIT }) ?? DEFAULT_LIMIT;
  const startingAfter = params.string('starting_after');
  const endingBefore = params.string('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw StripeError.parametersExclusive('starting_after', 'ending_before');
  }
  const newestFirst = [...oldestFirst].reverse();
  const cursorIndex = (key: string, id: string): number => {
    const index = newestFirst.findIndex((object) => object.id === id);
    if (index === -1) {
      throw StripeError.invalidRequest(`No such ${objectName}: '${id}'`, {
        code: 'resource_missing',
        param: key,
      });
    }
    return index;
  };
  if (endingBefore !== undefined) {
    const newer = newestFirst.slice(0, cursorIndex('ending_before', endingBefore));
    return { object: 'list', data: newer.slice(-limit), has_more: newer.length > limit, url };
  }
  const older =
    startingAfter === undefined
      ? newestFirst
      : newestFirst.slice(cursorIndex('starting_after', startingAfter) + 1);
  return { object: 'list', data: older.slice(0, limit), has_more: older.length > limit, url };
}
