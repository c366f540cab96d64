/** One entry of the error body every endpoint returns: `{ errors: [{ message, field? }] }`. */
export interface ErrorItem {
  message: string;
  field?: string;
  /** A machine-readable reason where the status alone is not enough, e.g. Stripe's decline code. */
  code?: string;
}

/**
 * An error whose status and message are meant for the client. Anything else is a 500. Subclass it for a
 * status the others do not cover, or for more to say than a message (`body`).
 *
 * @example
 * class PaymentRequiredError extends HttpError {
 *   constructor(readonly declineCode: string) {
 *     super(402, 'Your card was declined');
 *   }
 *   override serialize(): ErrorItem[] {
 *     return [{ message: this.message, code: this.declineCode }];
 *   }
 * }
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  serialize(): ErrorItem[] {
    return [{ message: this.message }];
  }

  /** The response body; an error with more to say than its messages adds fields beside `errors`. */
  body(): { errors: ErrorItem[] } & Record<string, unknown> {
    return { errors: this.serialize() };
  }
}
