/**
 * The request a piece of work belongs to, carried through async calls: its abort signal, which
 * fires at the request's deadline or when its caller disconnects. The function layer opens a
 * scope per request; the WeChat client reads the signal of whatever request it is working for,
 * so no call in between has to pass it along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export class RequestScope {
  private readonly storage = new AsyncLocalStorage<AbortSignal>();

  /** The signal of the request the caller works for; undefined outside any request. */
  signal(): AbortSignal | undefined {
    return this.storage.getStore();
  }

  run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    return this.storage.run(signal, work);
  }
}
