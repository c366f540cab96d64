/**
 * mulberry32: a tiny 32-bit pseudo-random generator. Chaos runs use it instead of Math.random so that a
 * failing run can be replayed exactly from its seed; it is not meant for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** mulberry32 keeps 32 bits of state, so larger seeds would only repeat smaller ones. */
export const MAX_SEED = 0xffff_ffff;
