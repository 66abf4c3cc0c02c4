/**
 * Letting a retiring server's keep-alive connections go. Closing a server stops it accepting,
 * but connections it keeps alive would live on until they time out (65 s here) and hold the
 * instance long after its last answer. Once draining, every answer not yet started goes out
 * with `Connection: close` (Node then closes its connection after it), and a connection whose
 * answer had already promised keep-alive is closed as soon as it falls idle.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';

export interface ConnectionDrainer {
  /** The response class to create the one server it drains with (`createServer({ ServerResponse })`). */
  readonly ServerResponse: typeof ServerResponse;
  /** From now on answers say `Connection: close`, and `server`'s connections close as they fall idle. */
  drain(server: Server): void;
}

export function connectionDrainer(): ConnectionDrainer {
  let draining = false;
  const KEEP_ALIVE = Symbol('keep-alive');
  class DrainableResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {}
  // Node decides keep-alive when it writes the head, from `shouldKeepAlive`, which it set from
  // the request (a caller's own `Connection: close` and HTTP/1.0 stay as they were). Reading it
  // through the class means nothing is tracked per request, so none can be missed or kept
  // (abandoned, or still unanswered at SIGTERM). One case it does not mend, as no per-request
  // tracker did: requests pipelined behind one that is answered while draining are handled but
  // not answered, since that answer closes the connection. Browsers and the CloudBase gateway do
  // not pipeline.
  Object.defineProperty(DrainableResponse.prototype, 'shouldKeepAlive', {
    get(this: { [KEEP_ALIVE]?: boolean }) {
      return !draining && this[KEEP_ALIVE] === true;
    },
    set(this: { [KEEP_ALIVE]?: boolean }, value: boolean) {
      this[KEEP_ALIVE] = value;
    },
  });
  return {
    ServerResponse: DrainableResponse,
    drain(server) {
      if (draining) return;
      draining = true;
      // The socket is detached from the response just after this message; close it once it is idle.
      const closeWhenIdle = (message: unknown) => {
        if ((message as { server: Server }).server === server) setImmediate(() => server.closeIdleConnections());
      };
      subscribe('http.server.response.finish', closeWhenIdle);
      server.once('close', () => unsubscribe('http.server.response.finish', closeWhenIdle));
      server.closeIdleConnections();
    },
  };
}
