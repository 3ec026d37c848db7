/**
 * Network error codes (Node's `error.code`, undici's codes) that describe a connection that
 * failed or stalled, not a request that was wrong: the next attempt may get through.
 *
 * `ENOTFOUND` is deliberately absent: getaddrinfo reports it when the name does not exist
 * (a typo, a missing service), which a retry cannot fix; a DNS server that is briefly
 * unreachable reports `EAI_AGAIN` instead. Add it with `createClassifier({ transient: ['ENOTFOUND'] })`
 * where names appear late (a freshly created service in a cluster).
 */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  // undici (Node's fetch): the socket failed or a timeout elapsed.
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** undici's code for a request its caller aborted. */
export const ABORT_CODES: ReadonlySet<string> = new Set(['UND_ERR_ABORTED', 'ABORT_ERR']);
