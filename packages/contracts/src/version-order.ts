/** Where an incoming version stands relative to the one a consumer holds. */
export type VersionOrder = 'next' | 'stale' | 'future';

/**
 * `version` is the aggregate's version after the change: version N applies only on top of N-1. A stale
 * event is a duplicate or a replay (ack and ignore); a future one overtook its predecessor (retry later).
 *
 * @example
 * versionOrder(3, 4); // 'next': apply it
 * versionOrder(3, 3); // 'stale': already applied
 * versionOrder(3, 5); // 'future': version 4 has not arrived yet
 */
export function versionOrder(heldVersion: number, incomingVersion: number): VersionOrder {
  if (incomingVersion === heldVersion + 1) return 'next';
  return incomingVersion <= heldVersion ? 'stale' : 'future';
}
