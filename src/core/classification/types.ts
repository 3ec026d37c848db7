/** Whether retrying the same call may succeed. */
export type Classification = 'transient' | 'permanent';
