/**
 * `npm run proof [-- --quick] [-- --only <word>]`: runs every suite in proof/suites, each in a
 * process of its own and bounded in time, prints its figures and checks, and (on a full run of
 * every suite) writes them into RELIABILITY.md with the date, machine and command. Exits 1 when
 * any check fails or any suite overruns its bound.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { SuiteReport } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const quick = values.quick;
const boundMs = quick ? 90_000 : 300_000;

const suites = readdirSync(join(here, 'suites'))
  .filter((file) => file.endsWith('.ts'))
  .filter((file) => values.only === undefined || file.includes(values.only))
  .sort();

interface Outcome {
  readonly file: string;
  readonly report?: SuiteReport;
  readonly failure?: string;
  readonly seconds: number;
}

function runSuite(file: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(here, 'suites', file), ...(quick ? ['--quick'] : [])],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const bound = setTimeout(() => child.kill('SIGKILL'), boundMs);
    child.on('close', (code, signal) => {
      clearTimeout(bound);
      const seconds = (performance.now() - started) / 1000;
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ file, report: JSON.parse(last) as SuiteReport, seconds });
      } catch {
        const why =
          signal === 'SIGKILL'
            ? `overran its ${boundMs / 1000} s bound`
            : `exited ${code ?? signal} without a report`;
        resolve({ file, failure: why, seconds });
      }
    });
  });
}

const outcomes: Outcome[] = [];
for (const file of suites) {
  process.stderr.write(`• ${file}\n`);
  const outcome = await runSuite(file);
  outcomes.push(outcome);
  if (outcome.report === undefined) {
    process.stdout.write(`✗ ${file}: ${outcome.failure}\n`);
    continue;
  }
  for (const c of outcome.report.checks)
    process.stdout.write(`${c.ok ? '✓' : '✗'} ${outcome.report.suite}: ${c.name} — ${c.detail}\n`);
  process.stdout.write(
    `  figures: ${JSON.stringify(outcome.report.figures)} (${outcome.seconds.toFixed(1)} s)\n`,
  );
}

const checks = outcomes.flatMap((o) => o.report?.checks ?? []);
const failed =
  checks.filter((c) => !c.ok).length + outcomes.filter((o) => o.report === undefined).length;
process.stdout.write(
  `proof: ${checks.filter((c) => c.ok).length} of ${checks.length} checks held, ${failed} broken\n`,
);

function markdown(): string {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  const lines = [
    `Measured ${new Date().toISOString()} on ${machine}, by \`npm run proof\` (${outcomes.reduce((s, o) => s + o.seconds, 0).toFixed(0)} s in all).`,
    '',
  ];
  for (const o of outcomes) {
    lines.push(`### ${o.report?.suite ?? o.file} (${o.seconds.toFixed(1)} s)`, '');
    if (o.report === undefined) {
      lines.push(`- ✗ ${o.failure}`, '');
      continue;
    }
    for (const c of o.report.checks) lines.push(`- ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
    lines.push('', '| figure | value |', '| --- | --- |');
    for (const [name, value] of Object.entries(o.report.figures))
      lines.push(`| ${name} | ${value} |`);
    lines.push('');
  }
  return lines.join('\n');
}

if (!quick && values.only === undefined) {
  const path = join(here, '..', 'RELIABILITY.md');
  const text = readFileSync(path, 'utf8');
  const start = '<!-- proof:start -->';
  const end = '<!-- proof:end -->';
  const before = text.slice(0, text.indexOf(start) + start.length);
  const after = text.slice(text.indexOf(end));
  writeFileSync(path, `${before}\n\n${markdown()}\n${after}`);
  process.stderr.write('RELIABILITY.md updated\n');
}
process.exitCode = failed === 0 ? 0 : 1;
