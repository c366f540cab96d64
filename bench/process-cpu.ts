/**
 * CPU time of other processes (the servers, a service), read from /proc, so that a benchmark can say where
 * the machine's cores went: figures per event or per request rather than a single rate.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks of 1/100 s on every platform node runs on. */
const MS_PER_TICK = 10;

interface ProcessTimes {
  parent: number;
  /** user + system time of the process itself. */
  own: number;
  /** user + system time of its children that have exited and been waited for. */
  reaped: number;
}

function timesOf(pid: string): ProcessTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which may itself hold spaces: state, ppid, ..., utime (14), stime (15),
  // cutime (16), cstime (17), numbered as in proc(5).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (number: number) => Number(fields[number - 3]);
  return {
    parent: field(4),
    own: (field(14) + field(15)) * MS_PER_TICK,
    reaped: (field(16) + field(17)) * MS_PER_TICK,
  };
}

/**
 * CPU milliseconds used so far by `pid` and every process below it, including the ones that have exited
 * (PostgreSQL's backends are the postmaster's children).
 */
export function processTreeCpuMs(pid: number): number {
  const all = new Map<number, ProcessTimes>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const times = timesOf(entry);
    if (times) all.set(Number(entry), times);
  }
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop() as number;
    const times = all.get(current);
    if (!times) continue;
    total += times.own + times.reaped;
    for (const [child, childTimes] of all) if (childTimes.parent === current) pending.push(child);
  }
  return total;
}

/** Measures the CPU that each named process tree uses while `work` runs. */
export async function cpuDuring<Name extends string, T>(
  pids: Record<Name, number>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: Record<Name, number> }> {
  const names = Object.keys(pids) as Name[];
  const before = names.map((name) => processTreeCpuMs(pids[name]));
  const result = await work();
  const cpuMs = {} as Record<Name, number>;
  names.forEach((name, i) => {
    cpuMs[name] = processTreeCpuMs(pids[name]) - (before[i] as number);
  });
  return { result, cpuMs };
}
