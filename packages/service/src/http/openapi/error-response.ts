import { z } from 'zod';

/**
 * The body of every error response, for OpenAPI documents and for clients that check what they receive.
 *
 * @example
 * const { errors } = errorResponse.parse(await response.json());
 * console.log(errors.map((error) => error.field ?? error.message));
 */
export const errorResponse = z.object({
  errors: z
    .array(
      z.object({
        message: z.string(),
        field: z.string().optional(),
        code: z.string().optional(),
      }),
    )
    .min(1),
});
