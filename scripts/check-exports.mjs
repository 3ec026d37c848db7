// Imports every entry point of the built package by its public name (the `exports` map),
// as a user would, and checks that each one exposes what it promises.
const expectations = {
  breakwater: [
    'retry',
    'circuitBreaker',
    'pipeline',
    'classify',
    'HealthProbe',
    'CircuitOpenError',
  ],
  'breakwater/node': ['fileStore'],
  'breakwater/redis': ['redisStore', 'redisStaleCacheStore'],
  'breakwater/prometheus': ['prometheusMetrics'],
  'breakwater/otel': ['openTelemetryMetrics'],
  'breakwater/http': ['httpHandler'],
  'breakwater/http/express': ['expressHandler'],
  'breakwater/http/fastify': ['fastifyPlugin'],
};

let failed = false;
for (const [entry, names] of Object.entries(expectations)) {
  const module = await import(entry);
  const missing = names.filter((name) => !(name in module));
  if (missing.length > 0) {
    failed = true;
    console.error(`${entry} is missing: ${missing.join(', ')}`);
  }
}
if (failed) process.exit(1);
console.log(`exports: ${Object.keys(expectations).length} entry points resolve`);
