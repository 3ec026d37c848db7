export { fileStore } from './file-store.js';
export type { FileStore, FileStoreOptions } from './file-store.js';
export * from './config/index.js';
