import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { createResilience } from '../../src/core/index.js';
import { prometheusMetrics } from '../../src/prometheus/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface RuleFile {
  groups: { rules: { alert: string; expr: string; annotations: Record<string, string> }[] }[];
}
interface Panel {
  type: string;
  title: string;
  repeat?: string;
  targets?: { expr: string }[];
}

const rules = (load(readFileSync(join(root, 'alerts/breakwater.rules.yml'), 'utf8')) as RuleFile)
  .groups[0]?.rules;
const dashboard = JSON.parse(readFileSync(join(root, 'dashboards/breakwater.json'), 'utf8')) as {
  panels: Panel[];
  templating: { list: { name: string; query: unknown }[] };
};
const runbook = readFileSync(join(root, 'docs/runbook.md'), 'utf8');

const metricNames = (text: string): string[] =>
  [...text.matchAll(/\bbreakwater_[a-z_]+/g)].map((m) => m[0]);

/** The metric families the exporter writes, with a histogram's series names. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = prometheusMetrics(createResilience());
  const text = await metrics.registry.metrics();
  metrics.close();
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name ?? '');
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

describe('the shipped rules, dashboard and runbook', () => {
  it('every metric the rules and the dashboard name is one the exporter writes', async () => {
    const exported = await exportedNames();
    const inRules = (rules ?? []).flatMap((rule) => metricNames(rule.expr));
    const inDashboard = dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) => metricNames(target.expr)),
    );
    const templated = dashboard.templating.list.flatMap((variable) =>
      metricNames(JSON.stringify(variable.query)),
    );
    expect(inRules.length).toBeGreaterThan(5);
    expect(inDashboard.length).toBeGreaterThan(10);
    expect(
      [...new Set([...inRules, ...inDashboard, ...templated])].filter(
        (name) => !exported.has(name),
      ),
    ).toEqual([]);
  });

  it('the rules are the six of SPEC §8.1, each with a summary, a description and a runbook section', () => {
    expect((rules ?? []).map((rule) => rule.alert)).toEqual([
      'BreakwaterCircuitOpen',
      'BreakwaterCircuitStuckOpen',
      'BreakwaterCircuitFlapping',
      'BreakwaterHighFailureRate',
      'BreakwaterHighFallbackRate',
      'BreakwaterStoreDown',
    ]);
    const headings = new Set(
      [...runbook.matchAll(/^## (\S+)$/gm)].map(
        (m) => `docs/runbook.md#${(m[1] ?? '').toLowerCase()}`,
      ),
    );
    for (const rule of rules ?? []) {
      expect(rule.annotations.summary, rule.alert).toMatch(/\S/);
      expect(rule.annotations.description, rule.alert).toMatch(/\S/);
      expect(headings, rule.alert).toContain(rule.annotations.runbook_url);
    }
  });

  it('the dashboard counts circuits by state and repeats a row per operation with the panels of issue 13', () => {
    const titles = dashboard.panels.map((panel) => panel.title);
    for (const state of ['closed', 'open', 'half-open', 'isolated', 'disabled']) {
      expect(titles).toContain(`Circuits ${state}`);
    }
    const row = dashboard.panels.find(
      (panel) => panel.type === 'row' && panel.repeat === 'operation',
    );
    expect(row?.title).toBe('Operation $operation');
    const perOperation = dashboard.panels.slice(dashboard.panels.indexOf(row as Panel) + 1);
    expect(perOperation.map((panel) => panel.type)).toContain('state-timeline');
    const exprs = perOperation
      .flatMap((panel) => (panel.targets ?? []).map((target) => target.expr))
      .join('\n');
    for (const needle of [
      'breakwater_calls_total',
      'breakwater_circuit_failure_rate_threshold',
      'histogram_quantile(0.5',
      'histogram_quantile(0.95',
      'histogram_quantile(0.99',
      'breakwater_fallbacks_total',
      'breakwater_retries_total',
    ]) {
      expect(exprs).toContain(needle);
    }
    expect(exprs).toMatch(/operation="\$operation"/);
  });
});
