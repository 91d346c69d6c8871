import { isSocketNotifyError, MemoryLogger, type NotifyConfig } from "@socket-notify/core";
import { createHost } from "@socket-notify/core/internal";
import { describe, expect, it } from "vitest";
import { botSettings } from "./options.js";

const host = (env: Record<string, string> = {}, configTrusted = false) =>
  createHost({
    env: { SOCKET_SLACK_BOT_TOKEN: "xoxb-1-2-3", ...env },
    configSource: ".socketnotifyrc.json",
    configTrusted,
    logger: new MemoryLogger(),
  });

function settingsError(config: Partial<NotifyConfig>, env?: Record<string, string>, trusted = false): string {
  try {
    botSettings(config as NotifyConfig, host(env, trusted));
  } catch (e) {
    if (isSocketNotifyError(e)) return `${e.message} | ${e.hint}`;
    throw e;
  }
  return "";
}

describe("where the bot token may be sent", () => {
  it("accepts Slack's hosts in any config, in any case", () => {
    for (const url of [
      "https://slack.com/api/",
      "https://acme.enterprise.slack.com/api/",
      "https://slack-gov.com/api/",
      "https://SLACK.COM/api/",
      "https://Acme.Enterprise.Slack.Com/api/",
    ]) {
      expect(settingsError({ slack_api_url: url }), url).toBe("");
    }
  });

  // Every way to write "this machine" that WHATWG URL parsing (what fetch and the SDK use) maps to loopback.
  const LOOPBACK = [
    "http://127.0.0.1:3999/api/",
    "http://localhost:3999/api/",
    "http://LOCALHOST:3999/api/",
    "http://localhost.:3999/api/",
    "http://api.localhost:3999/api/",
    "http://2130706433:3999/api/",
    "http://0x7f.1:3999/api/",
    "http://0x7f000001:3999/api/",
    "http://0177.0.0.1:3999/api/",
    "http://127.1:3999/api/",
    "http://127.0.0.1.:3999/api/",
    "http://127.255.255.254:3999/api/",
    "http://[::1]:3999/api/",
    "http://[0:0:0:0:0:0:0:1]:3999/api/",
    "http://[::ffff:127.0.0.1]:3999/api/",
    "http://[::ffff:7f00:1]:3999/api/",
    "http://0.0.0.0:3999/api/",
    "http://0:3999/api/",
    "http://[::]:3999/api/",
    "https://127.0.0.1:3999/api/",
    "http://%6c%6fcalhost:3999/api/",
  ];

  it("refuses loopback in every spelling from a config the search found (a pull request's listener could take the token)", () => {
    for (const url of LOOPBACK) {
      const msg = settingsError({ slack_api_url: url });
      expect(msg, url).toContain(".socketnotifyrc.json: slack_api_url: Slack API URL points at this machine");
      expect(msg, url).toContain("accepted only from a trusted config");
      expect(msg, url).toContain("SOCKET_SLACK_API_URL");
    }
  });

  it("accepts loopback from a trusted config (SOCKET_SLACK_CONFIG_JSON, --config outside the checkout) and from SOCKET_SLACK_API_URL", () => {
    for (const url of LOOPBACK.filter((u) => u.startsWith("http:"))) {
      expect(settingsError({ slack_api_url: url }, {}, true), url).toBe("");
      expect(settingsError({}, { SOCKET_SLACK_API_URL: url }), url).toBe("");
    }
  });

  it("never treats a look-alike of loopback as loopback (plain http refused, and not a Slack host)", () => {
    for (const url of [
      "http://127.0.0.1.evil.example/api/",
      "http://localhost.evil.example/api/",
      "http://128.0.0.1/api/",
      "http://[::2]/api/",
      "http://[::ffff:8.8.8.8]/api/",
    ]) {
      expect(settingsError({ slack_api_url: url }, {}, true), url).toContain("must use https");
      expect(settingsError({}, { SOCKET_SLACK_API_URL: url }), url).toContain("must use https");
    }
  });

  it("refuses any other host in a config file (a pull request could edit it to steal the token)", () => {
    const msg = settingsError({ slack_api_url: "https://evil.example/api/" });
    expect(msg).toContain(
      ".socketnotifyrc.json: slack_api_url: Slack API URL host evil.example is not slack.com or slack-gov.com",
    );
    expect(msg).toContain("SOCKET_SLACK_API_URL");
    expect(settingsError({ slack_api_url: "https://slack.com.evil.example/api/" })).toContain("is not slack.com");
  });

  it("takes a proxy from the environment, which the checkout cannot change", () => {
    expect(settingsError({}, { SOCKET_SLACK_API_URL: "https://slack-proxy.corp.example/api/" })).toBe("");
    expect(
      botSettings({} as NotifyConfig, host({ SOCKET_SLACK_API_URL: "https://slack-proxy.corp.example/api" })).apiUrl,
    ).toBe("https://slack-proxy.corp.example/api/");
  });
});
