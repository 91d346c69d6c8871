/**
 * `/_emulator/*`: the same controls as the SlackEmulator object, over HTTP, for tests and
 * demos that run in another process. These requests are never recorded, faulted or limited.
 */
import { type IncomingMessage, type ServerResponse } from "node:http";
import { type FaultSpec, parseFaultSpec } from "./faults.js";
import { readBody, writeJson } from "./http-io.js";
import { type EmulatorRecord } from "./records.js";
import { type EmulatorAppInfo } from "./server.js";
import { type HttpDelivery, type HttpDeliveryRecord } from "./http-delivery.js";
import {
  type CommandInput,
  type EventInput,
  type InteractInput,
  parseCommand,
  parseEvent,
  parseInteract,
  SimulationError,
  type SimulationResult,
} from "./simulate.js";
import {
  DISCONNECT_REASONS,
  type DisconnectReason,
  parseSocketFault,
  type SocketFault,
  type SocketState,
} from "./socket-mode.js";

/** The parts of the emulator the control endpoints drive. */
export interface ControlTarget {
  messages(filter?: { channel?: string; hook?: string }): EmulatorRecord[];
  records(): EmulatorRecord[];
  fault(f: FaultSpec): void;
  activeFaults(): FaultSpec[];
  clearFaults(): void;
  reset(): void;
  app(): EmulatorAppInfo;
  setRequestUrl(url: string | undefined): void;
  interact(input: InteractInput): Promise<SimulationResult>;
  command(input: CommandInput): Promise<SimulationResult>;
  event(input: EventInput): Promise<SimulationResult>;
  verifyRequestUrl(): Promise<SimulationResult>;
  socket(): SocketState;
  disconnectSockets(reason: DisconnectReason, connection?: number): number;
  socketFault(fault: SocketFault): number;
  clearSocketFaults(): void;
  activeSocketFaults(): SocketFault[];
  deliveries(): HttpDeliveryRecord[];
  replay(seq?: number): Promise<HttpDelivery | undefined>;
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SimulationError("invalid_json", "body must be JSON");
  }
}

/** Runs a simulated user's action: 400/404 with a reason for a refused one, else its result. */
async function simulate(res: ServerResponse, run: () => Promise<SimulationResult>): Promise<void> {
  try {
    const result = await run();
    writeJson(res, 200, result);
  } catch (error) {
    if (error instanceof SimulationError) {
      writeJson(res, error.status, {
        ok: false,
        error: error.code,
        detail: error.message,
        delivered: false,
        acked: false,
      });
      return;
    }
    throw error;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function handleControl(
  target: ControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = `${req.method ?? "GET"} ${url.pathname.replace(/\/+$/, "")}`;
  switch (route) {
    case "GET /_emulator/messages": {
      const channel = url.searchParams.get("channel") ?? undefined;
      const hook = url.searchParams.get("hook") ?? undefined;
      writeJson(res, 200, {
        messages: target.messages({
          ...(channel === undefined ? {} : { channel }),
          ...(hook === undefined ? {} : { hook }),
        }),
        records: target.records(),
      });
      return;
    }
    case "GET /_emulator/faults":
      writeJson(res, 200, { faults: target.activeFaults() });
      return;
    case "POST /_emulator/faults": {
      let spec: FaultSpec;
      try {
        spec = parseFaultSpec(JSON.parse((await readBody(req)).toString("utf8")));
        target.fault(spec);
      } catch (error) {
        writeJson(res, 400, { ok: false, error: errorText(error) });
        return;
      }
      writeJson(res, 200, { ok: true });
      return;
    }
    case "DELETE /_emulator/faults":
      target.clearFaults();
      writeJson(res, 200, { ok: true });
      return;
    case "GET /_emulator/app":
      writeJson(res, 200, target.app());
      return;
    case "POST /_emulator/app": {
      // Only the request URL can change while running (what Slack's app settings page does).
      try {
        const body: unknown = JSON.parse((await readBody(req)).toString("utf8") || "{}");
        const url = (body as { request_url?: unknown } | null)?.request_url;
        if (url !== null && typeof url !== "string")
          throw new TypeError('body must be {"request_url": "http://…"} or {"request_url": null}');
        target.setRequestUrl(url ?? undefined);
      } catch (error) {
        writeJson(res, 400, { ok: false, error: errorText(error) });
        return;
      }
      writeJson(res, 200, { ok: true, ...target.app() });
      return;
    }
    case "POST /_emulator/interact":
      await simulate(res, async () => target.interact(parseInteract(await jsonBody(req))));
      return;
    case "POST /_emulator/command":
      await simulate(res, async () => target.command(parseCommand(await jsonBody(req))));
      return;
    case "POST /_emulator/event":
      await simulate(res, async () => target.event(parseEvent(await jsonBody(req))));
      return;
    case "POST /_emulator/url_verification":
      await simulate(res, () => target.verifyRequestUrl());
      return;
    case "GET /_emulator/socket":
      writeJson(res, 200, { ...target.socket(), faults: target.activeSocketFaults() });
      return;
    case "POST /_emulator/socket/disconnect": {
      let reason: unknown;
      let connection: unknown;
      try {
        const body = (await jsonBody(req)) as { reason?: unknown; connection?: unknown } | null;
        reason = body?.reason ?? "refresh_requested";
        connection = body?.connection;
      } catch (error) {
        writeJson(res, 400, { ok: false, error: errorText(error) });
        return;
      }
      if (typeof reason !== "string" || !(DISCONNECT_REASONS as readonly string[]).includes(reason)) {
        writeJson(res, 400, { ok: false, error: `reason must be one of ${DISCONNECT_REASONS.join(", ")}` });
        return;
      }
      if (connection !== undefined && (typeof connection !== "number" || !Number.isInteger(connection))) {
        writeJson(res, 400, { ok: false, error: "connection must be a connection id" });
        return;
      }
      writeJson(res, 200, { ok: true, sent: target.disconnectSockets(reason as DisconnectReason, connection) });
      return;
    }
    case "POST /_emulator/socket/faults": {
      let fault: SocketFault;
      try {
        fault = parseSocketFault(await jsonBody(req));
      } catch (error) {
        writeJson(res, 400, { ok: false, error: errorText(error) });
        return;
      }
      writeJson(res, 200, { ok: true, connections: target.socketFault(fault) });
      return;
    }
    case "DELETE /_emulator/socket/faults":
      target.clearSocketFaults();
      writeJson(res, 200, { ok: true });
      return;
    case "GET /_emulator/http":
      writeJson(res, 200, { deliveries: target.deliveries() });
      return;
    case "POST /_emulator/http/replay": {
      let seq: unknown;
      try {
        seq = ((await jsonBody(req)) as { seq?: unknown } | null)?.seq;
      } catch (error) {
        writeJson(res, 400, { ok: false, error: errorText(error) });
        return;
      }
      if (seq !== undefined && (typeof seq !== "number" || !Number.isInteger(seq))) {
        writeJson(res, 400, { ok: false, error: "seq must be a delivery's seq" });
        return;
      }
      const result = await target.replay(seq);
      if (result === undefined) writeJson(res, 404, { ok: false, error: "no such delivery" });
      else writeJson(res, 200, { ok: true, ...result });
      return;
    }
    case "POST /_emulator/reset":
      target.reset();
      writeJson(res, 200, { ok: true });
      return;
    default:
      writeJson(res, 404, { ok: false, error: `no such emulator endpoint: ${route}` });
  }
}
