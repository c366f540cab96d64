import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { eventStreams, type StreamName } from '@ticketing/contracts';
import type { Bus } from './bus';

export interface StreamSettings {
  storage?: 'file' | 'memory';
  replicas?: number;
  /** How long the server remembers message ids to drop re-published copies; at least 10 minutes. */
  duplicateWindowMs?: number;
  /** How long events are kept for late or replaying subscribers. */
  maxAgeMs?: number;
}

const MINUTE = 60_000;

/**
 * Creates every stream of the contract, or brings an existing one to these settings. Idempotent and safe to
 * run from every replica of every service at start-up, so no service depends on another having started.
 *
 * @example
 * await provisionStreams(bus); // file storage, one replica, a week of history
 * await provisionStreams(bus, { replicas: 3, maxAgeMs: 30 * 24 * 3_600_000 }); // a three-node cluster
 */
export async function provisionStreams(bus: Bus, settings: StreamSettings = {}): Promise<void> {
  const duplicateWindowMs = Math.max(settings.duplicateWindowMs ?? 10 * MINUTE, 10 * MINUTE);
  for (const stream of Object.keys(eventStreams) as StreamName[]) {
    const config: Partial<StreamConfig> & { name: string } = {
      name: bus.streamName(stream),
      subjects: bus.streamSubjects(stream),
      storage: settings.storage === 'memory' ? StorageType.Memory : StorageType.File,
      num_replicas: settings.replicas ?? 1,
      duplicate_window: nanos(duplicateWindowMs),
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(settings.maxAgeMs ?? 7 * 24 * 60 * MINUTE),
    };
    const existing = await bus.jsm.streams.info(config.name).catch(() => undefined);
    if (!existing) {
      await bus.jsm.streams.add(config).catch(async (error: Error) => {
        // Another replica created it a moment ago.
        if (!(await bus.jsm.streams.info(config.name).catch(() => undefined))) throw error;
      });
    } else {
      const { name, storage: _storage, ...updatable } = config;
      await bus.jsm.streams.update(name, updatable);
    }
  }
}
