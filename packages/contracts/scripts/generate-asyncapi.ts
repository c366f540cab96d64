import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApiDocument } from '../src/asyncapi-document';

/** Writes events.asyncapi.json, the published description of every event; CI fails when it is stale. */
const target = join(__dirname, '..', 'events.asyncapi.json');
writeFileSync(target, `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
console.log(`wrote ${target}`);
