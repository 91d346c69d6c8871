/**
 * `/_emulator/*`: the same controls as the SlackEmulator object, over HTTP, for tests and
 * demos that run in another process. These requests are never recorded, faulted or limited.
 */
import { type IncomingMessage, type ServerResponse } from "node:http";
import { type FaultSpec, parseFaultSpec } from "./faults.js";
import { readBody, writeJson } from "./http-io.js";
import { type EmulatorRecord } from "./records.js";
import { type EmulatorAppInfo } from "./server.js";

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
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function handleControl(target: ControlTarget, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const route = `${req.method ?? "GET"} ${url.pathname.replace(/\/+$/, "")}`;
  switch (route) {
    case "GET /_emulator/messages": {
      const channel = url.searchParams.get("channel") ?? undefined;
      const hook = url.searchParams.get("hook") ?? undefined;
      writeJson(res, 200, {
        messages: target.messages({ ...(channel === undefined ? {} : { channel }), ...(hook === undefined ? {} : { hook }) }),
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
        if (url !== null && typeof url !== "string") throw new TypeError('body must be {"request_url": "http://…"} or {"request_url": null}');
        target.setRequestUrl(url ?? undefined);
      } catch (error) {
        writeJson(res, 400, { ok: false, error: errorText(error) });
        return;
      }
      writeJson(res, 200, { ok: true, ...target.app() });
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
