/**
 * `npm run bench`: runs every suite in bench/suites side by side in one process and prints
 * a markdown table; `-- --write` also replaces the results section of BENCHMARKS.md.
 * `-- --only <word>` runs the suites whose file name contains the word (the baseline always runs).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { timeCall, type BenchMeasurement, type BenchSuite, type TimedResult } from './harness.js';
import { moduleExtension, repoRoot } from './paths.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

const baseline = `baseline${moduleExtension}`;
const files = readdirSync(join(here, 'suites'))
  .filter((file) => file.endsWith(moduleExtension))
  .filter((file) => only === undefined || file === baseline || file.includes(only))
  .sort((a, b) => (a === baseline ? -1 : b === baseline ? 1 : a.localeCompare(b)));

const timed: (TimedResult & { suite: string })[] = [];
const measured: (BenchMeasurement & { suite: string })[] = [];

for (const file of files) {
  const module = (await import(pathToFileURL(join(here, 'suites', file)).href)) as {
    default: BenchSuite;
  };
  const suite = module.default;
  process.stderr.write(`• ${suite.title}\n`);
  try {
    for (const benchCase of (await suite.cases?.()) ?? []) {
      const inFlight = benchCase.inFlight ?? 1;
      const nsPerCall = await timeCall(benchCase.call, inFlight);
      timed.push({
        suite: suite.title,
        name: benchCase.name,
        library: benchCase.library,
        inFlight,
        nsPerCall,
      });
    }
    for (const m of (await suite.measure?.()) ?? []) measured.push({ ...m, suite: suite.title });
  } finally {
    await suite.teardown?.();
  }
}

const bare = (inFlight: number): number | undefined =>
  timed.find((row) => row.library === 'bare' && row.inFlight === inFlight)?.nsPerCall;

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const lines: string[] = [
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString().slice(0, 10)}`,
  '',
  '| suite | case | library | in flight | ns/call | × bare |',
  '| --- | --- | --- | ---: | ---: | ---: |',
  ...timed.map((row) => {
    const base = bare(row.inFlight);
    const ratio = base === undefined ? '–' : `${(row.nsPerCall / base).toFixed(2)}×`;
    return `| ${row.suite} | ${row.name} | ${row.library} | ${row.inFlight} | ${fmt(row.nsPerCall)} | ${ratio} |`;
  }),
];
if (measured.length > 0) {
  lines.push(
    '',
    '| suite | measurement | library | value | floor |',
    '| --- | --- | --- | ---: | --- |',
  );
  for (const m of measured) {
    lines.push(
      `| ${m.suite} | ${m.name} | ${m.library} | ${fmt(m.value)} ${m.unit} | ${m.target ?? ''} |`,
    );
  }
}
const table = lines.join('\n');
console.log(table);

if (args.includes('--write')) {
  const path = join(repoRoot, 'BENCHMARKS.md');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const current = readFileSync(path, 'utf8');
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  if (from < 0 || to < from) throw new Error(`BENCHMARKS.md needs the markers ${start} and ${end}`);
  writeFileSync(path, `${current.slice(0, from + start.length)}\n${table}\n${current.slice(to)}`);
  process.stderr.write('BENCHMARKS.md updated\n');
}
