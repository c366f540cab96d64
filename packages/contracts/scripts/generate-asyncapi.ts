import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApiDocument } from '../src/asyncapi-document';
import { streamOf, subjects, type Subject } from '../src/index';

const packageDir = join(__dirname, '..');
export const asyncApiFile = join(packageDir, 'events.asyncapi.json');
export const schemasDir = join(packageDir, 'schemas');

/**
 * One JSON Schema (draft 2020-12) per subject, of the whole message a subscriber receives: the envelope with
 * the subject's payload in `data`. It is the AsyncAPI document's message payload, so the two cannot
 * disagree, and both come from the zod schemas the services validate with.
 */
export function buildJsonSchemas(): Record<Subject, Record<string, unknown>> {
  const messages = Object.values(buildAsyncApiDocument().components.messages) as Array<{
    title: string;
    payload: Record<string, unknown>;
  }>;
  const schemas = {} as Record<Subject, Record<string, unknown>>;
  for (const subject of subjects) {
    const message = messages.find((candidate) => candidate.title === subject);
    if (!message) throw new Error(`The AsyncAPI document has no message for ${subject}`);
    const { $schema, ...payload } = message.payload;
    schemas[subject] = {
      $schema,
      title: subject,
      description:
        `A ${subject} message as published on stream ${streamOf(subject)}: the envelope, with the payload in ` +
        '`data`. Generated from @ticketing/contracts; `parseEnvelope` checks the same rules.',
      ...payload,
    };
  }
  return schemas;
}

/** The file of `subject`'s JSON Schema, in `schemas/`. */
export function schemaFileName(subject: Subject): string {
  return `${subject}.json`;
}

/**
 * Writes events.asyncapi.json and schemas/<subject>.json, the published description of every event,
 * formatted as prettier would; the contracts' unit test fails when they are stale.
 */
async function main(): Promise<void> {
  const { format, resolveConfig } = await import('prettier');
  const write = async (file: string, value: unknown) => {
    const options = { ...(await resolveConfig(file)), filepath: file };
    // Indented first: prettier keeps an object on several lines when its source has them.
    writeFileSync(file, await format(JSON.stringify(value, null, 2), options));
    console.log(`wrote ${file}`);
  };
  await write(asyncApiFile, buildAsyncApiDocument());
  mkdirSync(schemasDir, { recursive: true });
  const schemas = buildJsonSchemas();
  const current = new Set(subjects.map(schemaFileName));
  // A subject taken out of the contract takes its schema with it.
  for (const file of readdirSync(schemasDir)) {
    if (file.endsWith('.json') && !current.has(file)) rmSync(join(schemasDir, file));
  }
  for (const subject of subjects) await write(join(schemasDir, schemaFileName(subject)), schemas[subject]);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
