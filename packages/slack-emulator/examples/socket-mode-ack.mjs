// A Socket Mode app using only @slack/socket-mode, against the emulator:
//   EMULATOR_URL=http://127.0.0.1:PORT node socket-mode-ack.mjs
// It connects with the emulator's app-level token, acks the first click it gets, prints it and
// exits. Trigger the click with POST $EMULATOR_URL/_emulator/interact, then see the ack in
// GET $EMULATOR_URL/_emulator/socket.
import { SocketModeClient } from "@slack/socket-mode";

const base = process.env.EMULATOR_URL;
if (!base) {
  console.error("socket-mode-ack: set EMULATOR_URL to the emulator's URL (printed by socket-notify emulator)");
  process.exit(2);
}
// The emulator's own test values; a real app reads its xapp- token from its secrets.
const app = await (await fetch(`${base}/_emulator/app`)).json();
const client = new SocketModeClient({ appToken: app.app_token, clientOptions: { slackApiUrl: `${base}/api/` } });

client.on("interactive", async ({ ack, body }) => {
  await ack();
  const action = body.actions?.[0];
  console.log(`acked ${body.type} ${action?.action_id ?? "?"} from ${body.user?.id ?? "?"}`);
  await client.disconnect();
  process.exit(0);
});
client.on("connected", () => console.log("connected"));
await client.start();
