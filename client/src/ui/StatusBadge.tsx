export type Tone = 'good' | 'bad' | 'wait' | 'neutral';

/** A state in words with a colour that is never the only cue (the words say it). */
export function StatusBadge({ tone, children }: { tone: Tone; children: string }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** The colour of an attempt's or a refund's status as Stripe names it: settled well, badly, or not yet. */
export function stripeStatusTone(status: string): Tone {
  if (status === 'succeeded') return 'good';
  if (status === 'failed') return 'bad';
  if (status === 'canceled') return 'neutral';
  return 'wait';
}
