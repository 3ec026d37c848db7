import { readStatus } from '../classification/status.js';
import { redactText } from './redact.js';

/** An error as a record shows it: `{ name, message, status }`, the message redacted. */
export interface ErrorFields {
  readonly name: string;
  readonly message: string;
  readonly status?: number;
}

export function errorFields(error: unknown): ErrorFields {
  if (typeof error !== 'object' || error === null) {
    return { name: typeof error, message: redactText(String(error)) };
  }
  const { name, message } = error as { name?: unknown; message?: unknown };
  const status = readStatus(error);
  return {
    name: typeof name === 'string' ? name : (error.constructor?.name ?? 'Object'),
    message: redactText(typeof message === 'string' ? message : ''),
    ...(status === undefined ? {} : { status }),
  };
}
