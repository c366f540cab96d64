import { useEffect, useState } from 'react';
import { formatCountdown } from '../ui/time';

/** Time left to pay, ticking each second; the order's own state says when it has actually expired. */
export function Countdown({ until }: { until: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const secondsLeft = (new Date(until).getTime() - now) / 1000;
  return (
    <p className="countdown">
      {secondsLeft > 0 ? (
        <>
          Pay within <strong>{formatCountdown(secondsLeft)}</strong> or the reservation ends.
        </>
      ) : (
        'The time to pay is up.'
      )}
    </p>
  );
}
