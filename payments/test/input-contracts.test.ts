import { api, pay, paymentsWithSweepOnDemand, replicateOrder } from './payments-api';

/** Inputs that once reached PostgreSQL or were guessed at: each is now a 400 naming its field. */
describe('payments input contracts', () => {
  const running = paymentsWithSweepOnDemand();
  const fields = (body: { errors: Array<{ field?: string }> }) => body.errors.map((error) => error.field);

  it('refuses an orderId given twice instead of failing in SQL', async () => {
    const order = await replicateOrder(running.payments, 'twice');
    const response = await api(running.payments)
      .get(`/api/payments?orderId=${order.id}&orderId=${order.id}`)
      .set('Authorization', await running.payments.bearer('twice'))
      .expect(400);
    expect(fields(response.body)).toEqual(['orderId']);
  });

  it('refuses a NUL byte in an admin filter', async () => {
    const response = await api(running.payments)
      .get('/api/payments/admin/attempts?code=%00')
      .set('Authorization', await running.payments.bearer('ops', { admin: true }))
      .expect(400);
    expect(fields(response.body)).toEqual(['code']);
  });

  it('takes no string as an amount of money to refund', async () => {
    const order = await replicateOrder(running.payments, 'refunded-buyer', 2000);
    const paid = await pay(
      running.payments,
      'refunded-buyer',
      { orderId: order.id, paymentMethod: 'pm_card_visa' },
      { status: 201 },
    );
    const admin = await running.payments.bearer('ops', { admin: true });
    const refund = (amount: unknown) =>
      api(running.payments)
        .post(`/api/payments/admin/payments/${paid.body.id}/refunds`)
        .set('Authorization', admin)
        .set('Idempotency-Key', `refund-${String(amount)}`)
        .send({ amount, reason: 'string money' });
    expect(fields((await refund('10').expect(400)).body)).toEqual(['amount']);
    expect(fields((await refund(10.5).expect(400)).body)).toEqual(['amount']);
    const kept = await refund(1000).expect(201);
    expect(kept.body.payment.amountRefunded).toBe(1000);
  });
});
