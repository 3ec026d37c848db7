import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { measureFleet, OTHERS_RATE, percentile } from '../fleet/measure.js';
import { fleetMarkdown } from '../fleet/report.js';
import type { BenchMeasurement, BenchSuite } from '../harness.js';
import { repoRoot } from '../paths.js';

/** The fleet at scale (FLEET.md): `-- --only fleet --fleet-md` also rewrites FLEET.md. */
const suite: BenchSuite = {
  title: 'fleet',
  async measure(): Promise<BenchMeasurement[]> {
    const loadBefore = loadavg()[0] ?? Number.NaN;
    const m = await measureFleet();
    const loadAfter = loadavg()[0] ?? Number.NaN;
    if (process.argv.includes('--fleet-md')) {
      // The machine may be shared: its load average (1 min) before and after says how much.
      const machine = `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'} (load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after)`;
      const path = join(repoRoot, 'FLEET.md');
      writeFileSync(
        path,
        fleetMarkdown(m, new Date().toISOString().slice(0, 10), machine, cpus().length),
      );
      process.stderr.write('FLEET.md updated\n');
    }
    const floor = m.flushMs + 100;
    const perReplica = (n: number) => n / m.load.replicas / m.load.seconds;
    const rate = m.load.calls / m.load.replicas / m.load.seconds;
    const rows: BenchMeasurement[] = [
      {
        name: `calls per replica per second sustained, ${m.load.replicas} replicas asked for 1,000`,
        library: 'breakwater',
        value: rate,
        unit: 'calls/s',
      },
      {
        name: `success path, redisStore as % of in memory, 49 other replicas at ${OTHERS_RATE} calls/s`,
        library: 'breakwater',
        value: m.successPathPercent,
        unit: '%',
        target: '≤ 120 %',
      },
      {
        name: `Redis commands per replica per second, ${m.load.replicas} replicas under that load`,
        library: 'breakwater',
        value: perReplica(m.load.used.commands),
        unit: 'commands/s',
      },
      {
        name: `script calls (round trips) per replica per second, ${m.load.replicas} replicas under that load`,
        library: 'breakwater',
        value: perReplica(m.load.used.scripts),
        unit: 'calls/s',
      },
    ];
    for (const n of [3, 10, 50] as const) {
      for (const p of [50, 99]) {
        rows.push({
          name: `convergence after a trip, ${n} replicas, p${p}`,
          library: 'breakwater',
          value: percentile(m.convergence[n], p),
          unit: 'ms',
          ...(n === 50 && p === 99 ? { target: `≤ flushMs + 100 = ${floor} ms` } : {}),
        });
      }
    }
    for (const p of [50, 99]) {
      rows.push({
        name: `convergence after a merged trip (3 replicas' failures), 50 replicas, p${p}`,
        library: 'breakwater',
        value: percentile(m.mergedConvergence50, p),
        unit: 'ms',
        ...(p === 99 ? { target: `≤ flushMs + 100 = ${floor} ms` } : {}),
      });
    }
    return rows;
  },
};

export default suite;
