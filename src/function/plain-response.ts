/**
 * An answer with its body (text, or the bytes of an XML or binary route) and its headers as a plain record, standing in for a web
 * `Response`. The first web Response, Request or Headers a process builds loads Node's fetch
 * implementation, which the function's cold start would pay for although no route needs it;
 * the node listener (src/node-listener.ts) writes a PlainResponse straight to Node's response.
 * Whatever asks for the web parts (a Hono middleware adding a header, another server adapter)
 * gets a real Response, built once on first ask; from then on that one is the answer.
 */
export class PlainResponse {
  #web: Response | undefined;

  constructor(
    readonly content: string | Uint8Array<ArrayBuffer>,
    readonly status: number,
    readonly headerRecord: Readonly<Record<string, string>>,
  ) {}

  /** The web Response, if anything has asked for it (then it is the answer, headers added to it included). */
  get built(): Response | undefined {
    return this.#web;
  }

  toWeb(): Response {
    this.#web ??= new Response(this.content, { status: this.status, headers: this.headerRecord });
    return this.#web;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  get headers(): Headers {
    return this.toWeb().headers;
  }
  get body(): ReadableStream<Uint8Array> | null {
    return this.toWeb().body;
  }
  get bodyUsed(): boolean {
    return this.toWeb().bodyUsed;
  }
  get statusText(): string {
    return this.toWeb().statusText;
  }
  get type(): ResponseType {
    return this.toWeb().type;
  }
  get url(): string {
    return this.toWeb().url;
  }
  get redirected(): boolean {
    return this.toWeb().redirected;
  }
  text(): Promise<string> {
    return this.toWeb().text();
  }
  json(): Promise<unknown> {
    return this.toWeb().json();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.toWeb().arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.toWeb().blob();
  }
  formData(): Promise<FormData> {
    return this.toWeb().formData();
  }
  clone(): Response {
    return this.toWeb().clone();
  }
}

/**
 * A JSON answer as Hono's handlers return it: a PlainResponse for a server that says it writes
 * them (`plainResponses` in the app's env, as src/node-listener.ts does), a web Response for any
 * other (another adapter, another runtime, app.request()).
 */
export function jsonAnswer(env: unknown, status: number, payload: unknown, headers: Record<string, string>): Response {
  return plainAnswer(env, status, JSON.stringify(payload), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

/** Any answer whose body is ready (JSON, XML, a download), the same way. */
export function plainAnswer(env: unknown, status: number, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>): Response {
  if ((env as { plainResponses?: boolean } | undefined)?.plainResponses === true) return new PlainResponse(body, status, headers) as unknown as Response;
  return new Response(body, { status, headers });
}
