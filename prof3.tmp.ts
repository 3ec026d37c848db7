const { loadConfig } = await import('./src/node/config/load.js');
const env = { API_RETRY_MAX: '3', BREAKWATER_OP_OPERATION_7_TIMEOUT_MS: '1500' };
for (let i = 0; i < 200; i++) loadConfig({ env, file: '/tmp/tidy-50.yaml', environment: 'production' });
const s: number[] = [];
for (let i = 0; i < 300; i++) { const a = performance.now(); loadConfig({ env, file: '/tmp/tidy-50.yaml', environment: 'production' }); s.push(performance.now() - a); }
s.sort((a, b) => a - b);
console.log('warm median', s[150]);
