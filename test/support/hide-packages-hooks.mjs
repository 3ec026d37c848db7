// Module resolution hooks for hide-packages.mjs.
let hidden = [];

export function initialize(data) {
  hidden = data.hidden;
}

export function resolve(specifier, context, nextResolve) {
  const name = specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : specifier.split('/')[0];
  if (hidden.includes(name)) {
    const error = new Error(`Cannot find package '${name}' imported from ${context.parentURL}`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return nextResolve(specifier, context);
}
