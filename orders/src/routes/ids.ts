import { z } from 'zod';

/** A path's `:id`, which every resource here has as a UUID. */
export const idParam = z.object({ id: z.uuid({ error: 'id must be a UUID' }) });
