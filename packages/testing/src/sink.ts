/**
 * A tiny loopback HTTP endpoint for notifier tests: it records every request and answers with
 * scripted responses (200 by default), so a plugin's error handling can be driven from a test.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket } from "node:net";

/** One answer the sink gives. */
export interface SinkResponse {
  /** @default 200 */
  status?: number;
  /** A string is sent as is; anything else as JSON. @default "ok" */
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (the client's timeout decides). */
  hang?: boolean;
}

/** One request the sink received. */
export interface SinkRequest {
  /** 1-based, in arrival order. */
  seq: number;
  method: string;
  /** Path and query, e.g. `/hook/<secret>` (contains the secret: do not print it). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** `now()` of the sink's clock when the request arrived (Date.now() unless a clock is given). */
  at: number;
  /** The status the sink answered (undefined when it hung). */
  status: number | undefined;
}

export interface HttpSink {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /**
   * A URL on the sink whose last path segment is a random secret, e.g.
   * `http://127.0.0.1:43121/hook/3f9c…`. Give it to the plugin as its endpoint; tests assert
   * the secret never shows up in reports, logs or errors.
   */
  readonly url: string;
  /** The secret part of `url`. */
  readonly secret: string;
  /** A further URL with its own secret, for plugins with several endpoints. */
  newUrl(): { url: string; secret: string };
  readonly requests: SinkRequest[];
  /** Where `SinkRequest.at` comes from; set it to a fake clock's `now` for virtual timestamps. */
  now: () => number;
  /** Answers for the next requests, in order; when they run out, `fallback` answers. */
  respond(...responses: SinkResponse[]): void;
  /** The answer once the scripted ones are used up. @default { status: 200, body: "ok" } */
  fallback: SinkResponse;
  /** Forget requests and scripted answers; fallback back to 200. */
  reset(): void;
  close(): Promise<void>;
}

export interface SinkOptions {
  /** Where `SinkRequest.at` comes from (a fake clock's `now`). @default Date.now */
  now?: () => number;
  /** Largest request body accepted (bigger ones get 413). @default 16 MiB */
  maxBodyBytes?: number;
}

const OK: SinkResponse = { status: 200, body: "ok" };

/** Start a sink on 127.0.0.1 (a free port). Close it in `afterAll`. */
export async function startSink(options: SinkOptions = {}): Promise<HttpSink> {
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const requests: SinkRequest[] = [];
  let script: SinkResponse[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(c);
    });
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const answer: SinkResponse = tooLarge
        ? { status: 413, body: "request_too_large" }
        : (script.shift() ?? sink.fallback);
      const record: SinkRequest = {
        seq: requests.length + 1,
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: { ...req.headers },
        body,
        json,
        at: sink.now(),
        status: answer.hang ? undefined : (answer.status ?? 200),
      };
      requests.push(record);
      if (answer.hang) {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      const text =
        answer.body === undefined ? "ok" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status ?? 200, {
        "content-type":
          typeof answer.body === "string" || answer.body === undefined
            ? "text/plain; charset=utf-8"
            : "application/json; charset=utf-8",
        ...answer.headers,
      });
      res.end(text);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const newUrl = () => {
    const secret = `sk${randomBytes(12).toString("hex")}`;
    return { url: `${origin}/hook/${secret}`, secret };
  };
  const first = newUrl();

  const sink: HttpSink = {
    origin,
    url: first.url,
    secret: first.secret,
    newUrl,
    requests,
    now: options.now ?? Date.now,
    fallback: OK,
    respond(...responses) {
      script.push(...responses);
    },
    reset() {
      requests.length = 0;
      script = [];
      sink.fallback = OK;
    },
    async close() {
      for (const r of hanging) r.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sink;
}
