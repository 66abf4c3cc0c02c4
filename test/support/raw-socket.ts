/** Raw bytes on a plain socket, for what no HTTP client would send (malformed requests, slow headers). */
import { connect } from 'node:net';

/** Writes `payload` to the server at `baseUrl` and resolves with everything it answers before closing. */
export function rawExchange(baseUrl: string, payload: string): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let out = '';
    socket.on('data', (chunk) => (out += chunk));
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
    socket.write(payload);
  });
}
