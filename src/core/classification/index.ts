export type { Classification } from './types.js';
export type { Classifier, ClassifierOptions, ClassifyOptions, ErrorMatcher } from './classify.js';
export { classify, createClassifier, isTransient } from './classify.js';
export { retryAfterMs } from './retry-after.js';
