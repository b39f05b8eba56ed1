/** Running a redirector: listen, and close gracefully on SIGINT/SIGTERM. */
import { buildRedirector, type Redirector, type RedirectorOptions } from './redirector.js';

export interface RunningRedirector extends Redirector {
  /** the bound address, e.g. http://127.0.0.1:8090 */
  url: string;
  close(): Promise<void>;
}

export async function startRedirector(
  options: RedirectorOptions & { host: string; port: number },
): Promise<RunningRedirector> {
  const { host, port, ...rest } = options;
  const redirector = buildRedirector(rest);
  const url = await redirector.app.listen({ host, port });
  return { ...redirector, url, close: () => redirector.app.close() };
}
