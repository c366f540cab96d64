/**
 * Whether a database error is PostgreSQL refusing a row because of the unique index `constraint`: the index
 * decides a race (two orders for one ticket), and the loser gets a 409 rather than a 500.
 *
 * @example
 * try {
 *   await insertOrder(trx, order);
 * } catch (error) {
 *   if (isUniqueViolation(error, 'orders_one_active_per_ticket')) throw new ConflictError('Reserved');
 *   throw error;
 * }
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const { code, constraint: violated } = (error ?? {}) as { code?: string; constraint?: string };
  return code === '23505' && violated === constraint;
}
