import type pg from 'pg';
import { nowMicros } from '../load/protocol.ts';

/** One round trip to the server clock: local send/receive times and the server's reading (µs). */
export interface ClockSample {
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly serverAt: number;
}

export interface ClockOffset {
  /** server time − local time (µs): local + offset = server. */
  readonly offsetMicros: number;
  /** The round trip the estimate comes from, the smallest one (µs). */
  readonly rttMicros: number;
  readonly samples: number;
}

/**
 * The offset from the sample with the smallest round trip (least queueing, so the server read its
 * clock closest to the midpoint): offset = server − (sent + rtt/2). Pure.
 */
export function bestOffset(samples: readonly ClockSample[]): ClockOffset {
  if (samples.length === 0) throw new Error('no clock samples');
  let best = samples[0]!;
  for (const s of samples) if (s.receivedAt - s.sentAt < best.receivedAt - best.sentAt) best = s;
  const rtt = best.receivedAt - best.sentAt;
  return { offsetMicros: best.serverAt - (best.sentAt + rtt / 2), rttMicros: rtt, samples: samples.length };
}

/** Reads the server clock once (µs since the epoch, clock_timestamp: not the transaction start). */
export async function serverClockSample(client: pg.Client): Promise<ClockSample> {
  const sentAt = nowMicros();
  const r = await client.query<{ us: string }>("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint::text AS us");
  const receivedAt = nowMicros();
  return { sentAt, receivedAt, serverAt: Number(r.rows[0]!.us) };
}

/** Measures this process's clock offset to the server over `rounds` round trips. */
export async function measureClockOffset(client: pg.Client, rounds = 9): Promise<ClockOffset> {
  const samples: ClockSample[] = [];
  for (let i = 0; i < rounds; i++) samples.push(await serverClockSample(client));
  return bestOffset(samples);
}
