import { pageFields } from '@ticketing/service';
import { z } from 'zod';

/** The query of the orders service's lists: `?limit=` and the `after` cursor from the previous page's Link header. */
export const pageQuery = z.object(pageFields({ defaultSize: 20, maxSize: 100 }));

/** What a list answers besides the page itself. */
export const nextPageHeader = { Link: 'rel="next": the next page, when there is one' };
