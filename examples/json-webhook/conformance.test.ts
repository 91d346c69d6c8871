import { runConformance } from "@socket-notify/testing";
import plugin from "./index.js";

// The kit starts a loopback sink and hands us its URL; we say how to point the plugin at it.
runConformance({
  plugin,
  configFor: (url) => ({ endpoints: [{ name: "siem", url }] }),
  readRequest: (request) => {
    const body = request.json as { alerts?: unknown[] } | undefined;
    return { alerts: body?.alerts?.length ?? 0 };
  },
});
