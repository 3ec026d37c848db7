import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What an admin request's credentials come to. */
export type AdminAccess =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` against the configured token. Both sides are
 * hashed first, so `timingSafeEqual` compares equal-length digests and the time taken says
 * nothing about the token, not even its length. No configured token refuses every admin
 * request: admin is never open by default.
 */
export function adminGate(token: string | undefined): (req: IncomingMessage) => AdminAccess {
  const expected = token === undefined ? undefined : digest(token);
  return (req) => {
    if (expected === undefined) return { ok: false, status: 403, message: 'admin disabled' };
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match === null) return { ok: false, status: 401, message: 'bearer token required' };
    const given = digest(match[1] ?? '');
    if (!timingSafeEqual(given, expected)) {
      return { ok: false, status: 403, message: 'wrong token' };
    }
    return { ok: true };
  };
}

/** Header a caller may send to name themselves in the audit trail. */
const ACTOR_HEADER = 'x-breakwater-actor';
const ACTOR = /^[\w.@:+-]{1,64}$/;

/** Who made an admin request, for the audit trail: a self-declared name (if sane) and the peer address. */
export function actorOf(req: IncomingMessage): string {
  const declared = req.headers[ACTOR_HEADER];
  const name = typeof declared === 'string' && ACTOR.test(declared) ? declared : 'admin';
  return `${name}@${req.socket.remoteAddress ?? 'unknown'}`;
}
