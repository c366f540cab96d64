/**
 * Summarises V8 CPU profiles (`BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"` on a bench) by where the
 * time went: self time grouped into layers (express and its router, pino, zod, Kysely, the pg driver, jose,
 * the NATS client, prom-client, trace context, our packages, node's own http/net/stream code, GC, idle),
 * then by module (an npm package, or a file of ours), then the costliest functions.
 *
 *   npm run bench:profile -- DIR_OR_FILES... [--window SECONDS] [--top N] [--inclusive NAME,...] [--callers NAME,...]
 *
 * --window keeps the busiest stretch of that many seconds of each profile (the load, not start-up or the
 * idle wait before it). Native functions (no script of their own: `writev`, `JSON.stringify`, a stack
 * trace being captured) count towards the module that called them, so that "pg driver" includes the socket
 * writes it makes. --inclusive prints the total time spent inside functions of those names (their callees
 * included), e.g. `--inclusive RequestError,publish`; --callers the nearest functions outside node that led to
 * functions of those names, e.g. `--callers writev,writeBuffer` (who writes to sockets).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const LAYERS: Array<[string, RegExp]> = [
  [
    'express + router',
    /^(express|router|body-parser|raw-body|finalhandler|send|serve-static|path-to-regexp|on-finished|on-headers|qs|type-is|content-type|iconv-lite|accepts|negotiator|mime-types|mime-db|depd|debug|ms|http-errors|statuses|cookie|etag|fresh|vary|proxy-addr|forwarded|ipaddr\.js|parseurl|encodeurl|escape-html|merge-descriptors|media-typer|content-disposition|unpipe|ee-first|bytes|setprototypeof|inherits|cookie-signature|range-parser|is-promise|once|wrappy|safe-buffer|safer-buffer|toidentifier|side-channel.*|call-bind.*|get-intrinsic|es-.*|function-bind|hasown|has-symbols|gopd|math-intrinsics|object-inspect|dunder-proto|get-proto)$/,
  ],
  [
    'pino / pino-http',
    /^(pino|pino-http|pino-std-serializers|sonic-boom|fast-redact|@pinojs\/.*|thread-stream|quick-format-unescaped|atomic-sleep|safe-stable-stringify|on-exit-leak-free|real-require|process-warning|fast-safe-stringify)$/,
  ],
  ['zod / validation', /^(zod|express-validator|validator|ajv.*)$/],
  ['kysely', /^kysely$/],
  [
    'pg driver',
    /^(pg|pg-protocol|pg-pool|pg-types|pg-connection-string|pg-int8|postgres-array|postgres-bytea|postgres-date|postgres-interval|pgpass|split2|pg-cloudflare)$/,
  ],
  ['jose / JWT', /^jose$/],
  ['nats client (JetStream)', /^@nats-io\/.*$/],
  ['prom-client', /^(prom-client|tdigest|bintrees)$/],
  ['trace context', /^@opentelemetry\/.*$/],
];

/** The module a script belongs to: an npm package, a file of ours (repository-relative), or node's own. */
function moduleOf(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const packageMatch = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (packageMatch && !path.includes('node_modules/.cache/')) return packageMatch[1] as string;
  if (path.startsWith('node:')) return path;
  const ours = /\/work\/[^/]+\/(.*)$/.exec(path) ?? /([^/]+\/[^/]+)$/.exec(path);
  return ours ? (ours[1] as string) : path;
}

function layerOf(module: string): string {
  for (const [layer, pattern] of LAYERS) if (pattern.test(module)) return layer;
  if (module.startsWith('node:')) {
    if (/^node:(_http_|http|internal\/http)/.test(module)) return 'node: http';
    if (/^node:(net|stream|internal\/(streams|stream_base_commons|net|fs|dns)|fs|dns|tls)/.test(module)) {
      return 'node: net, streams';
    }
    return 'node: other (timers, events, promises, async hooks, crypto...)';
  }
  if (/trace-context|tracing/.test(module)) return 'trace context';
  if (/^(packages|orders|payments|expiration|tools|bench|node_modules\/\.cache)\//.test(module)) {
    return `ours: ${
      module.startsWith('node_modules/.cache/')
        ? 'bench'
        : module
            .split('/')
            .slice(0, module.startsWith('packages/') ? 2 : 1)
            .join('/')
    }`;
  }
  return `other packages`;
}

const SPECIAL: Record<string, string> = {
  '(garbage collector)': 'GC',
  '(idle)': 'idle',
  '(program)': 'V8/native, no JS on the stack (I/O callbacks, compilation)',
  '(root)': 'V8/native, no JS on the stack (I/O callbacks, compilation)',
};

interface Summary {
  totalMs: number;
  idleMs: number;
  layers: Map<string, number>;
  /** The same time, node's own code (and native functions) counted for the nearest caller outside node. */
  callers: Map<string, number>;
  modules: Map<string, number>;
  functions: Map<string, number>;
  inclusive: Map<string, number>;
  callerChains: Map<string, number>;
}

function summarise(
  profile: CpuProfile,
  windowSeconds: number | undefined,
  inclusiveNames: string[],
  callerNames: string[],
): Summary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Each sample lasts until the next one.
  const durations = profile.samples.map((_, i) => (profile.timeDeltas[i + 1] ?? 0) / 1000);
  const times: number[] = [];
  let at = 0;
  for (const delta of profile.timeDeltas) times.push((at += delta / 1000));

  let from = 0;
  let to = profile.samples.length;
  if (windowSeconds !== undefined) {
    // The busiest stretch: the window holding the most non-idle time.
    const busy = profile.samples.map((id, i) =>
      byId.get(id)?.callFrame.functionName === '(idle)' ? 0 : (durations[i] as number),
    );
    let best = -1;
    let sum = 0;
    let start = 0;
    for (let end = 0; end < busy.length; end++) {
      sum += busy[end] as number;
      while ((times[end] as number) - (times[start] as number) > windowSeconds * 1000) {
        sum -= busy[start++] as number;
      }
      if (sum > best) [best, from, to] = [sum, start, end + 1];
    }
  }

  // Where a node's self time goes: its own module, or for a native function its nearest caller's.
  const attribution = new Map<number, { module: string; special?: string }>();
  const attribute = (id: number): { module: string; special?: string } => {
    const known = attribution.get(id);
    if (known) return known;
    const { functionName, url } = (byId.get(id) as ProfileNode).callFrame;
    let result: { module: string; special?: string };
    if (SPECIAL[functionName]) result = { module: functionName, special: SPECIAL[functionName] };
    else if (url) result = { module: moduleOf(url) };
    else {
      const up = parent.get(id);
      result = up === undefined ? { module: '(native)' } : attribute(up);
    }
    attribution.set(id, result);
    return result;
  };
  const callerLayer = new Map<number, string>();
  const callerOf = (id: number): string => {
    const known = callerLayer.get(id);
    if (known) return known;
    const { module, special } = attribute(id);
    let result: string;
    if (special) result = special;
    else if (!module.startsWith('node:') && module !== '(native)') result = layerOf(module);
    else {
      const up = parent.get(id);
      const upFrame = up === undefined ? undefined : byId.get(up)?.callFrame.functionName;
      result =
        up === undefined || upFrame === '(root)'
          ? `${layerOf(module)}, no caller outside node`
          : callerOf(up);
    }
    callerLayer.set(id, result);
    return result;
  };
  const inclusiveOf = (id: number): string[] => {
    const names = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const name = byId.get(current)?.callFrame.functionName ?? '';
      for (const wanted of inclusiveNames) if (name === wanted) names.add(wanted);
    }
    return [...names];
  };

  const summary: Summary = {
    totalMs: 0,
    idleMs: 0,
    layers: new Map(),
    callers: new Map(),
    modules: new Map(),
    functions: new Map(),
    inclusive: new Map(),
    callerChains: new Map(),
  };
  /** The function, then the first two functions above it that are not node's own (or native). */
  const chainOf = (id: number): string => {
    const names = [byId.get(id)?.callFrame.functionName ?? ''];
    for (
      let current = parent.get(id);
      current !== undefined && names.length < 3;
      current = parent.get(current)
    ) {
      const { functionName, url } = (byId.get(current) as ProfileNode).callFrame;
      if (url && !url.startsWith('node:')) names.push(`${functionName || '(anonymous)'} [${moduleOf(url)}]`);
    }
    return names.join(' <- ');
  };
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  for (let i = from; i < to; i++) {
    const id = profile.samples[i] as number;
    const ms = durations[i] as number;
    const node = byId.get(id) as ProfileNode;
    summary.totalMs += ms;
    const { module, special } = attribute(id);
    if (special === 'idle') {
      summary.idleMs += ms;
      continue;
    }
    add(summary.layers, special ?? layerOf(module), ms);
    add(summary.callers, callerOf(id), ms);
    add(summary.modules, module, ms);
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${moduleOf(url)}:${lineNumber + 1}` : `native, called from ${module}`;
    add(summary.functions, `${functionName || '(anonymous)'}  [${where}]`, ms);
    for (const name of inclusiveOf(id)) add(summary.inclusive, name, ms);
    if (callerNames.includes(functionName)) add(summary.callerChains, chainOf(id), ms);
  }
  return summary;
}

function print(name: string, summary: Summary, top: number) {
  const busyMs = summary.totalMs - summary.idleMs;
  const line = (label: string, ms: number) =>
    console.log(
      `  ${((ms / busyMs) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${label}`,
    );
  console.log(
    `\n${name}: ${(summary.totalMs / 1000).toFixed(1)} s sampled, ${(busyMs / 1000).toFixed(1)} s busy ` +
      `(idle ${((summary.idleMs / summary.totalMs) * 100).toFixed(0)}%); shares are of the busy time`,
  );
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  console.log(' by layer (self time; native functions count for their caller)');
  for (const [layer, ms] of sorted(summary.layers)) line(layer, ms);
  console.log(" by layer, node's own code counted for the nearest caller outside node");
  for (const [layer, ms] of sorted(summary.callers)) line(layer, ms);
  console.log(` by module (top ${top})`);
  for (const [module, ms] of sorted(summary.modules).slice(0, top)) line(module, ms);
  console.log(` by function, self time (top ${top})`);
  for (const [fn, ms] of sorted(summary.functions).slice(0, top)) line(fn, ms);
  if (summary.inclusive.size > 0) {
    console.log(' inclusive (the function and everything it called)');
    for (const [fn, ms] of sorted(summary.inclusive)) line(fn, ms);
  }
  if (summary.callerChains.size > 0) {
    console.log(` callers (top ${top})`);
    for (const [chain, ms] of sorted(summary.callerChains).slice(0, top)) line(chain, ms);
  }
}

function main() {
  const args = process.argv.slice(2);
  const option = (flag: string) => {
    const index = args.indexOf(flag);
    if (index < 0) return undefined;
    const [value] = args.splice(index, 2).slice(1);
    return value;
  };
  const window = option('--window');
  const top = Number(option('--top') ?? 25);
  const inclusive = option('--inclusive')?.split(',').filter(Boolean) ?? [];
  const callers = option('--callers')?.split(',').filter(Boolean) ?? [];
  const files = args.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((file) => file.endsWith('.cpuprofile'))
          .sort()
          .map((file) => join(path, file))
      : [path],
  );
  if (files.length === 0) {
    console.error(
      'usage: bench:profile -- DIR_OR_FILES... [--window SECONDS] [--top N] [--inclusive NAMES] [--callers NAMES]',
    );
    process.exit(2);
  }
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    print(basename(file), summarise(profile, window ? Number(window) : undefined, inclusive, callers), top);
  }
}

main();
