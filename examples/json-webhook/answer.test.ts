/**
 * An endpoint that answers an error with a body that never ends (a misconfigured URL reaching a
 * streaming service, a broken proxy): the plugin reads enough of it for the error message and
 * stops, so the run reports the endpoint's status and words instead of holding the connection
 * (and the body in memory) until its request timeout.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createEngine, MemoryLogger } from "@socket-notify/core";
import { syntheticScan } from "@socket-notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: Server;
let url: string;
let written = 0;
let closedByClient = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(404, { "content-type": "text/plain" });
    res.write("no such hook here: ");
    const chunk = "x".repeat(16 * 1024);
    // Streams until the client goes away.
    const drip = () => {
      if (res.destroyed) return;
      written += chunk.length;
      if (res.write(chunk)) setImmediate(drip);
      else res.once("drain", drip);
    };
    res.on("close", () => {
      closedByClient = true;
    });
    drip();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/endless-body-secret-0123456789`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("json-webhook reading an endpoint's answer", () => {
  it("reads a bounded part of an endless error body: the failure says the status and what the endpoint said", async () => {
    const engine = await createEngine({
      config: {
        mode: "json-webhook",
        // 30 s: a plugin that read the whole body would be stopped only by this timeout.
        request_timeout: 30,
        endpoints: [{ name: "endless", url: { env: "ENDLESS_URL" } }],
      },
      plugins: [(await import(join(import.meta.dirname, "index.js"))).default],
      logger: new MemoryLogger(),
      env: { ENDLESS_URL: url },
    });
    const report = await engine.notify(syntheticScan(3));
    const d = report.destinations[0];
    expect(d?.status).toBe("failed");
    const text = JSON.stringify(report);
    expect(text).toContain("no such hook here");
    expect(text).not.toContain("endless-body-secret");
    // The client stopped reading: the server saw the connection close while it was still writing.
    await expect.poll(() => closedByClient, { timeout: 10_000 }).toBe(true);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });
});
