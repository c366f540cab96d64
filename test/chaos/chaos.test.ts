import { describeReport, EVERY_FAULT, runChaos } from '../../scripts/chaos/chaos-run';

/**
 * The short chaos run: sixty order flows of every kind through the entry point while every kind of fault
 * is caused once (services killed, nats-server killed, PostgreSQL stopped, a database refusing
 * connections, Stripe slow, failing, losing answers, and its webhooks doubled and out of order). Every
 * invariant must hold once the system has settled; `npm run chaos` runs the long version.
 */
describe('the system under faults', () => {
  it('keeps every invariant through a seeded run with every kind of fault', async () => {
    const report = await runChaos({
      flows: 60,
      durationSeconds: 60,
      seed: 12,
      faults: EVERY_FAULT,
      expirationWindowSeconds: 20,
      convergeTimeoutSeconds: 60,
    });
    const failed = report.invariants.filter((invariant) => !invariant.holds);
    expect({ failed, report: describeReport(report) }).toMatchObject({ failed: [] });
    expect(report.faults.map((fault) => fault.kind).sort()).toEqual([...EVERY_FAULT].sort());
  }, 300_000);
});
