/**
 * undici's Agent and request(), loaded without the rest of the package. The package's main
 * entry also loads fetch, WebSocket, EventSource, the mock agents, the HTTP cache and a dozen
 * interceptors, none of which the function uses: in the deploy bundle that was 240 KiB more
 * to compile and evaluate at every cold start, about 30 ms here (a script importing only these
 * two parts started in 97 ms, one importing the main entry in 127 ms).
 *
 * undici has no `exports` map, so these paths are public files of the package; the version is
 * pinned by the lockfile; test/wechat-http.test.ts and every test that reaches the emulator exercise both.
 */
import type { Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import requestMethod from 'undici/lib/api/api-request.js';

export const Agent = AgentClass;

/** The main entry's request(), for a dispatcher of any kind (a test may pass its own), with the origin and path apart. */
export function request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return requestMethod.call(dispatcher, options);
}
