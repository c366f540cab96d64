export type StripeErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

/** The `error` member of a Stripe error response, as the SDK turns it into its `Stripe.errors.*` classes. */
export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: object;
  payment_method?: object;
}

export type StripeErrorDetails = Omit<StripeErrorBody, 'type' | 'message' | 'doc_url'>;

/** Builds an error body; errors with a code link its documentation, as Stripe's do. */
export function stripeErrorBody(
  type: StripeErrorType,
  message: string,
  details: StripeErrorDetails = {},
): StripeErrorBody {
  const docUrl = details.code && `https://docs.stripe.com/error-codes/${details.code.replaceAll('_', '-')}`;
  return { type, message, ...details, ...(docUrl && { doc_url: docUrl }) };
}

/** A failure the fake answers the way Stripe would: with this status and `{ error: body }`. */
export class StripeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
    this.name = 'StripeError';
  }

  static invalidRequest(message: string, details: StripeErrorDetails = {}): StripeError {
    return new StripeError(400, stripeErrorBody('invalid_request_error', message, details));
  }

  /** An unknown id in the URL is a 404; unknown ids in parameters are 400s built with `invalidRequest`. */
  static resourceMissing(objectName: string, id: string, param: string): StripeError {
    return new StripeError(
      404,
      stripeErrorBody('invalid_request_error', `No such ${objectName}: '${id}'`, {
        code: 'resource_missing',
        param,
      }),
    );
  }

  static parameterMissing(param: string): StripeError {
    return new ParameterError(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
  }

  static parametersExclusive(...params: string[]): StripeError {
    return new ParameterError(`You may only specify one of these parameters: ${params.join(', ')}.`, {
      code: 'parameters_exclusive',
    });
  }

  toJSON(): { error: StripeErrorBody } {
    return { error: this.body };
  }
}

/**
 * A request refused for its parameters (missing, unknown, malformed, out of range) before its endpoint began.
 * Stripe saves no idempotent result for such a request, so a corrected retry with the same key runs; errors an
 * endpoint raises once it has begun (declines, states such as `payment_intent_unexpected_state`) are kept.
 */
export class ParameterError extends StripeError {
  constructor(message: string, details: StripeErrorDetails = {}) {
    super(400, stripeErrorBody('invalid_request_error', message, details));
    this.name = 'ParameterError';
  }
}
