export { BreakwaterError, isBreakwaterError } from './base.js';
export * from './classes.js';
