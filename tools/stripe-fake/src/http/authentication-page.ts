import { formatMinorUnits } from '@ticketing/contracts';
import type { RequestHandler } from 'express';
import type { PaymentIntent } from '../resources/payment-intent';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * The bank's 3-D Secure page, as Stripe's test mode shows one: a buyer (or a browser test) completes or
 * fails the challenge with a button. Stripe.js opens it in a frame; so does our web client against the fake.
 * The buttons post to the same address as the `/_fake` control, and tell the frame's parent the outcome.
 */
export function authenticationPage(findIntent: (id: string) => PaymentIntent | undefined): RequestHandler {
  return (req, res) => {
    const id = String(req.params.id);
    const intent = findIntent(id);
    const waiting = intent?.status === 'requires_action';
    const amount = intent
      ? `${formatMinorUnits(intent.amount, intent.currency)} ${intent.currency.toUpperCase()}`
      : '';
    res.status(intent ? 200 : 404).type('html').send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>3D Secure test page</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1rem; color: #1c1b1f; }
button { font: inherit; font-weight: 600; padding: 0.5rem 1rem; margin: 0.5rem 0.5rem 0 0; border-radius: 6px; border: 2px solid #3b2a8f; }
#complete { background: #3b2a8f; color: #fff; } #fail { background: #fff; color: #3b2a8f; }
</style>
</head>
<body>
<main>
<h1>3D Secure test page</h1>
${
  waiting
    ? `<p>Authenticate the payment of ${escapeHtml(amount)} (${escapeHtml(id)}). This is a test: no bank is asked.</p>
<button id="complete" type="button" data-outcome="succeed">Complete authentication</button>
<button id="fail" type="button" data-outcome="fail">Fail authentication</button>`
    : `<p>${intent ? `Nothing to authenticate: the payment is ${escapeHtml(intent.status)}.` : 'No such payment.'}</p>`
}
<p id="result" role="status"></p>
</main>
<script>
for (const button of document.querySelectorAll('button[data-outcome]')) {
  button.addEventListener('click', async () => {
    const outcome = button.dataset.outcome;
    const response = await fetch(location.pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome }),
    });
    document.getElementById('result').textContent = response.ok
      ? (outcome === 'succeed' ? 'Authentication complete.' : 'Authentication failed.')
      : 'This payment cannot be authenticated any more.';
    for (const other of document.querySelectorAll('button[data-outcome]')) other.disabled = true;
    parent.postMessage({ type: 'stripe-fake-3ds', outcome, ok: response.ok }, '*');
  });
}
</script>
</body>
</html>`);
  };
}
