import { z } from 'zod';

/** The body of every error response. */
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
