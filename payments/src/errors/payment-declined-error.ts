import { HttpError } from '@ticketing/service';
import { toAttemptResponse, type AttemptRow } from '../models/attempt';

/** 402: Stripe refused the charge. Carries Stripe's codes, and the recorded attempt. */
export class PaymentDeclinedError extends HttpError {
  constructor(private readonly attempt: AttemptRow) {
    super(402, attempt.error_message ?? 'The payment was declined');
  }

  override serialize() {
    return [
      {
        message: this.message,
        code: this.attempt.decline_code ?? this.attempt.error_code ?? 'card_declined',
      },
    ];
  }

  override body() {
    return { ...super.body(), attempt: toAttemptResponse(this.attempt) };
  }
}
