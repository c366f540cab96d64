/** A state in words with a colour that is never the only cue (the words say it). */
export function StatusBadge({
  tone,
  children,
}: {
  tone: 'good' | 'bad' | 'wait' | 'neutral';
  children: string;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
