/** What a `breakwater config` command reads and writes, so tests can run it in-process. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The environment variables the command sees. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes: 0 success, 1 the configuration has problems, 2 the command was misused. */
export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;
