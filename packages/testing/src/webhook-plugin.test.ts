import { webhookPlugin } from "@socket-notify/slack-webhook";
import { runConformance } from "./index.js";

// Dogfood: the built-in incoming-webhook notifier passes the same suite plugin authors run.
// Its mode is a built-in name, so the descriptor check (which forbids taking one) is skipped.
runConformance({
  plugin: webhookPlugin,
  configFor: (url) => ({ url }),
  readRequest: (request) => {
    const body = request.json as { blocks?: { type: string; text?: { text: string } }[] } | undefined;
    return {
      blocks: body?.blocks?.length ?? 0,
      textChars: (body?.blocks ?? []).reduce((n, b) => n + (b.text?.text.length ?? 0), 0),
    };
  },
  skip: { descriptor: "a built-in mode name" },
});
