/** Where an incoming version stands relative to the one a consumer holds. */
export type VersionOrder = 'next' | 'stale' | 'future';

/**
 * `version` is the aggregate's version after the change: version N applies only on top of N-1. A stale
 * event is a duplicate or a replay (ack and ignore); a future one overtook its predecessor (retry later).
 */
export function versionOrder(heldVersion: number, incomingVersion: number): VersionOrder {
  if (incomingVersion === heldVersion + 1) return 'next';
  return incomingVersion <= heldVersion ? 'stale' : 'future';
}
