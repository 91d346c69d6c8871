import { describe, expect, it } from "vitest";
import { looksLikeSlackCredential, redactSlackCredentials } from "./secret.js";

describe("Slack credentials by shape", () => {
  it("redacts webhook URLs (Slack, GovSlack, the loopback emulator) and tokens to their display form", () => {
    expect(redactSlackCredentials("a https://hooks.slack.com/services/T01/B02/xyz123 b")).toBe(
      "a hooks.slack.com/services/T…/B…/**** b",
    );
    expect(redactSlackCredentials("hooks.slack-gov.com/services/T01/B02/xyz")).toBe(
      "hooks.slack-gov.com/services/T…/B…/****",
    );
    expect(redactSlackCredentials("http://127.0.0.1:4000/services/T0001/B0001/secret")).toBe(
      "127.0.0.1:4000/services/T…/B…/****",
    );
    expect(redactSlackCredentials("xoxb-1-2-abc xoxp-9 xapp-1-A")).toBe("xoxb-**** xoxp-**** xapp-****");
    expect(redactSlackCredentials("https://socket.dev/npm/package/x and xoxo-friends")).toBe(
      "https://socket.dev/npm/package/x and xoxo-friends",
    );
  });

  it("recognises literal credentials (for the config-file warning)", () => {
    expect(looksLikeSlackCredential("https://hooks.slack.com/services/T1/B1/x")).toBe(true);
    expect(looksLikeSlackCredential("xoxb-1-2")).toBe(true);
    expect(looksLikeSlackCredential("security-alerts")).toBe(false);
    expect(looksLikeSlackCredential("https://slack.com/api/")).toBe(false);
  });
});
