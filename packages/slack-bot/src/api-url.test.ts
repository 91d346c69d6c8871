import { createHost, isSocketNotifyError, MemoryLogger, type NotifyConfig } from "@socket-notify/core";
import { describe, expect, it } from "vitest";
import { botSettings } from "./options.js";

const host = (env: Record<string, string> = {}) => createHost({ env: { SOCKET_SLACK_BOT_TOKEN: "xoxb-1-2-3", ...env }, configSource: ".socketnotifyrc.json", logger: new MemoryLogger() });

function settingsError(config: Partial<NotifyConfig>, env?: Record<string, string>): string {
  try {
    botSettings(config as NotifyConfig, host(env));
  } catch (e) {
    if (isSocketNotifyError(e)) return `${e.message} | ${e.hint}`;
    throw e;
  }
  return "";
}

describe("where the bot token may be sent", () => {
  it("accepts Slack's hosts and loopback in the config", () => {
    for (const url of ["https://slack.com/api/", "https://acme.enterprise.slack.com/api/", "https://slack-gov.com/api/", "http://127.0.0.1:3999/api/"]) {
      expect(settingsError({ slack_api_url: url }), url).toBe("");
    }
  });

  it("refuses any other host in a config file (a pull request could edit it to steal the token)", () => {
    const msg = settingsError({ slack_api_url: "https://evil.example/api/" });
    expect(msg).toContain(".socketnotifyrc.json: slack_api_url: Slack API URL host evil.example is not slack.com or slack-gov.com");
    expect(msg).toContain("SOCKET_SLACK_API_URL");
    expect(settingsError({ slack_api_url: "https://slack.com.evil.example/api/" })).toContain("is not slack.com");
  });

  it("takes a proxy from the environment, which the checkout cannot change", () => {
    expect(settingsError({}, { SOCKET_SLACK_API_URL: "https://slack-proxy.corp.example/api/" })).toBe("");
    expect(botSettings({} as NotifyConfig, host({ SOCKET_SLACK_API_URL: "https://slack-proxy.corp.example/api" })).apiUrl).toBe("https://slack-proxy.corp.example/api/");
  });
});
