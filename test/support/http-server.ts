import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server listening on 127.0.0.1 at an ephemeral port, and how to reach and stop it. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `server` (not yet listening) on 127.0.0.1 and an ephemeral port. */
export async function listen(server: Server): Promise<RunningServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A node:http server for `listener`. */
export function serve(listener: RequestListener): Promise<RunningServer> {
  return listen(createServer(listener));
}
