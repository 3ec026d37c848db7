import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const rules = join(root, 'alerts/breakwater.rules.yml');
const ruleTests = join(root, 'alerts/breakwater.rules.test.yml');

function promtool(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('the shipped alert rules (promtool)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'breakwater-rules-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('pass promtool check rules', async () => {
    const { code, output } = await promtool(['check', 'rules', rules]);
    expect(output).toMatch(/SUCCESS: 6 rules found/);
    expect(code).toBe(0);
  });

  it('fire on each synthetic failing series and stay quiet on the healthy ones (promtool test rules)', async () => {
    const { code, output } = await promtool(['test', 'rules', ruleTests]);
    expect(output).toMatch(/SUCCESS/);
    expect(code).toBe(0);
  });

  it('the rule tests catch a rule that would not fire', async () => {
    // The same tests against rules whose failure-rate threshold was raised to 50 %.
    const loosened = readFileSync(rules, 'utf8').replace(') > 0.10', ') > 0.50');
    expect(loosened).not.toBe(readFileSync(rules, 'utf8'));
    writeFileSync(join(scratch, 'breakwater.rules.yml'), loosened);
    copyFileSync(ruleTests, join(scratch, 'breakwater.rules.test.yml'));
    const { code, output } = await promtool([
      'test',
      'rules',
      join(scratch, 'breakwater.rules.test.yml'),
    ]);
    expect(code).not.toBe(0);
    expect(output).toMatch(/BreakwaterHighFailureRate/);
  });
});
