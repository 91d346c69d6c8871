/**
 * Liveness and readiness probes: `/healthz` (the process is up and answering) and `/readyz` (it
 * takes work now: 503 with the reason otherwise). The HTTP transport answers them on its own
 * port; Socket Mode listens nowhere for Slack, so `serve --health-port` gives it a small server
 * of its own for a process supervisor (Kubernetes probes, a load balancer's health check).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { type ServeLogger } from "./log.js";

/** Undefined: ready. A string: why not (`draining`, `no Socket Mode connection open`…). */
export type Readiness = () => string | undefined;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

/** Answers `GET`/`HEAD /healthz` and `/readyz`; false (nothing sent) for any other request. */
export function answerProbe(req: IncomingMessage, res: ServerResponse, readiness: Readiness): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/healthz") {
    sendJson(res, 200, { ok: true });
    return true;
  }
  if (path === "/readyz") {
    const why = readiness();
    if (why === undefined) sendJson(res, 200, { ok: true });
    else sendJson(res, 503, { ok: false, error: why });
    return true;
  }
  return false;
}

/**
 * Listens with the timeouts both servers use (Slack gives up after 3 s, a probe sooner: a client
 * holding a socket open longer is neither); resolves with the bound address and its base URL.
 */
export async function listen(
  server: Server,
  port: number,
  host: string,
): Promise<{ host: string; port: number; url: string }> {
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return { host: addr.address, port: addr.port, url: `http://${shown}:${addr.port}` };
}

export interface HealthServerOptions {
  port: number;
  /** @default 127.0.0.1 (a pod's probes need 0.0.0.0) */
  host?: string;
  readiness: Readiness;
}

/** `/healthz` and `/readyz` on a port of their own; everything else is 404. */
export class HealthServer {
  private server: Server | undefined;

  constructor(
    private readonly logger: ServeLogger,
    private readonly options: HealthServerOptions,
  ) {}

  /** Listens; resolves with the bound address. */
  async start(): Promise<{ host: string; port: number; url: string }> {
    const server = createServer((req, res) => {
      if (!answerProbe(req, res, this.options.readiness)) sendJson(res, 404, { ok: false, error: "not_found" });
    });
    this.server = server;
    const at = await listen(server, this.options.port, this.options.host ?? "127.0.0.1");
    this.logger.log("info", "listening", { transport: "health", url: `${at.url}/readyz` });
    return at;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
