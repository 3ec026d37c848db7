export { BreakwaterError, isBreakwaterError, withoutStack } from './base.js';
export * from './classes.js';
