/**
 * A loopback HTTP server that misbehaves on purpose, for the "runs that never end" tests: per
 * request path it answers properly, or never answers, drips its headers, drips its body, or
 * sends a body without end. Raw TCP (node:net), so it can do what no well-behaved server does.
 */
import { createServer, type Server, type Socket } from "node:net";

export type Behaviour =
  /** A proper answer (Slack's, for the path: auth.test, conversations.list, chat.postMessage, a webhook). */
  | "ok"
  /** Reads the request and never answers. */
  | "hang"
  /** A status line, then one header line every 100 ms, forever: the headers never end. */
  | "drip-headers"
  /** Headers (a huge Content-Length), then one byte every 100 ms, forever. */
  | "drip-body"
  /** The given status and a chunked body written as fast as the client takes it, forever. */
  | "endless-body"
  /** Closes the connection without an answer. */
  | "reset";

export interface MisbehavingServer {
  url: string;
  /** Requests seen, by path (`/api/auth.test`, `/services/T/B/x`). */
  hits: Map<string, number>;
  /** Bytes of response body the server managed to write (endless/drip bodies). */
  bodyBytesWritten: () => number;
  close: () => Promise<void>;
}

/** `pick(path)` gives the behaviour for a request path (and, for `endless-body`, its status). */
/** `silent`: accept every connection and never even read the request. */
export async function misbehavingServer(
  pick: (path: string) => Behaviour | [Behaviour, number],
  options: { silent?: boolean } = {},
): Promise<MisbehavingServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const hits = new Map<string, number>();
  let written = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let head = "";
    let answered = false;
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0 || answered) return;
      const path = head.slice(0, head.indexOf("\r\n")).split(" ")[1] ?? "/";
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head.slice(0, end))?.[1] ?? 0);
      const bodySoFar = Buffer.byteLength(head.slice(end + 4), "latin1");
      if (bodySoFar < length) return; // wait for the whole request body
      answered = true;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const picked = pick(path);
      const [behaviour, status] = Array.isArray(picked) ? picked : [picked, 200];
      respond(socket, path, behaviour, status);
    };
    // Silent: the request is never read (the client's body may not even be sent in full).
    if (options.silent) return void socket.pause();
    socket.on("data", onData);
  });

  const every = (socket: Socket, ms: number, f: () => void) => {
    const t = setInterval(() => (socket.destroyed ? (clearInterval(t), timers.delete(t)) : f()), ms);
    timers.add(t);
  };

  function respond(socket: Socket, path: string, behaviour: Behaviour, status: number): void {
    switch (behaviour) {
      case "ok": {
        const body = okBody(path);
        const type = path.startsWith("/services/") ? "text/html" : "application/json; charset=utf-8";
        socket.end(
          `HTTP/1.1 200 OK\r\ncontent-type: ${type}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
      case "hang":
        return;
      case "reset":
        socket.destroy();
        return;
      case "drip-headers":
        socket.write(`HTTP/1.1 ${status} OK\r\n`);
        every(socket, 100, () => socket.write("x-drip: a\r\n"));
        return;
      case "drip-body":
        socket.write(`HTTP/1.1 ${status} OK\r\ncontent-type: application/json\r\ncontent-length: 1000000000\r\n\r\n{`);
        every(socket, 100, () => {
          socket.write(" ");
          written++;
        });
        return;
      case "endless-body": {
        socket.write(
          `HTTP/1.1 ${status} Internal Server Error\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n`,
        );
        const chunk = Buffer.alloc(64 * 1024, "e");
        const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
        const pump = () => {
          while (!socket.destroyed) {
            written += chunk.length;
            if (!socket.write(frame)) return void socket.once("drain", pump);
          }
        };
        pump();
        return;
      }
    }
  }

  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    bodyBytesWritten: () => written,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Slack's answers, as much as socket-notify reads of them. */
function okBody(path: string): string {
  if (path.startsWith("/services/")) return "ok";
  const method = path.split("/").pop();
  if (method === "auth.test")
    return JSON.stringify({ ok: true, user: "socket-notify", team: "T0", user_id: "U0", team_id: "T0" });
  if (method === "conversations.list") {
    return JSON.stringify({
      ok: true,
      channels: [{ id: "C0SEC000001", name: "security-alerts" }],
      response_metadata: { next_cursor: "" },
    });
  }
  if (method === "chat.postMessage")
    return JSON.stringify({ ok: true, channel: "C0SEC000001", ts: `${Date.now() / 1000}` });
  return JSON.stringify({ ok: false, error: "unknown_method" });
}
