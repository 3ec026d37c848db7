/**
 * Network error codes (Node's `error.code`, undici's codes) that describe a connection that
 * failed or stalled, not a request that was wrong: the next attempt may get through.
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

/**
 * Codes that no retry can fix.
 * - `ENOTFOUND`: getaddrinfo found no such name (a typo, a missing service). A DNS server
 *   that is briefly unreachable reports `EAI_AGAIN` instead, which is transient. Where
 *   names appear late (a service just created in a cluster), opt in with
 *   `createClassifier({ transient: ['ENOTFOUND'] })`.
 * - a request its caller aborted (undici, Node, axios's `ERR_CANCELED`, got's `ERR_ABORTED`);
 * - a URL that does not parse, a TLS certificate that does not verify.
 */
export const PERMANENT_CODES: ReadonlySet<string> = new Set([
  'ENOTFOUND',
  'UND_ERR_ABORTED',
  'ABORT_ERR',
  'ERR_CANCELED',
  'ERR_ABORTED',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
