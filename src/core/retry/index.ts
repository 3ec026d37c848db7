export type { RetryBudget, RetryBudgetOptions } from './budget.js';
export { retryBudget } from './budget.js';
export type { GiveUpEvent, GiveUpReason, RetryEvent, RetryEvents } from './events.js';
export type { RetryDecision, RetryOptions, RetryPredicate } from './options.js';
export { RetryPolicy, retry } from './policy.js';
