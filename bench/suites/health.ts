import { BackgroundRecovery, CapabilityUpgrade, HealthProbe } from '../../src/core/index.js';
import { heapPerObject, type BenchSuite } from '../harness.js';

/** A check that answers at once, so the rows show the probe's own cost. */
const healthy = (): Promise<boolean> => Promise.resolve(true);

const cached = new HealthProbe({ check: healthy, cacheTtlMs: 60_000 });
const forced = new HealthProbe({ check: healthy });
const full = new CapabilityUpgrade({
  name: 'bench',
  checkAvailable: () => true,
  activate: () => undefined,
});

/**
 * Health probes, recovery and capability upgrades: none of cockatiel or opossum has these,
 * so the rows compare against the bare call only.
 */
const suite: BenchSuite = {
  title: 'health',
  cases: async () => {
    await cached.check();
    await full.tryUpgrade();
    return [
      { name: 'HealthProbe.check() (cached)', library: 'breakwater', call: () => cached.check() },
      {
        name: 'HealthProbe.check() (cached)',
        library: 'breakwater',
        call: () => cached.check(),
        inFlight: 1000,
      },
      {
        name: 'HealthProbe.check({ force }) (single-flighted)',
        library: 'breakwater',
        call: () => forced.check({ force: true }),
        inFlight: 1000,
      },
      {
        name: 'CapabilityUpgrade.tryUpgrade() (already full)',
        library: 'breakwater',
        call: () => full.tryUpgrade(),
      },
    ];
  },
  measure: async () => [
    {
      name: 'idle HealthProbe',
      library: 'breakwater',
      unit: 'bytes',
      value: await heapPerObject(() => new HealthProbe({ check: healthy }), 20_000),
    },
    {
      name: 'idle BackgroundRecovery',
      library: 'breakwater',
      unit: 'bytes',
      value: await heapPerObject(() => new BackgroundRecovery({ recover: healthy }), 20_000),
    },
    {
      name: 'idle CapabilityUpgrade',
      library: 'breakwater',
      unit: 'bytes',
      value: await heapPerObject(
        () =>
          new CapabilityUpgrade({ name: 'x', checkAvailable: healthy, activate: () => undefined }),
        20_000,
      ),
    },
  ],
};

export default suite;
