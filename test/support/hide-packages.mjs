// Loaded with `node --import ./test/support/hide-packages.mjs`: the packages named in
// HIDE_PACKAGES (comma-separated) resolve as if they were not installed, so a test can see
// what code does without an optional peer dependency.
import { register } from 'node:module';
import { URL } from 'node:url';

register(new URL('./hide-packages-hooks.mjs', import.meta.url), {
  data: { hidden: (process.env.HIDE_PACKAGES ?? '').split(',').filter(Boolean) },
});
