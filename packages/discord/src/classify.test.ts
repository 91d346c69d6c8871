import { MemoryLogger } from "@socket-notify/core";
import { createHost } from "@socket-notify/core/internal";
import { describe, expect, it } from "vitest";
import { classifyDiscordResponse } from "./DiscordNotifier.js";

const host = createHost({ env: {}, configSource: "test", logger: new MemoryLogger() });
const headers = (h: Record<string, string> = {}) => new Headers(h);

describe("classifyDiscordResponse", () => {
  it("429: waits the longest of retry_after (float seconds), Retry-After and X-RateLimit-Reset-After", () => {
    const f = classifyDiscordResponse(
      429,
      JSON.stringify({ message: "You are being rate limited.", retry_after: 2.345, global: false }),
      headers({ "retry-after": "2", "x-ratelimit-reset-after": "1.5" }),
      host,
    );
    expect(f).toMatchObject({ code: "rate_limited", retry: "after", retryAfterMs: 2345 });
    const global = classifyDiscordResponse(429, JSON.stringify({ retry_after: 0.5, global: true }), headers(), host);
    expect(global.retryAfterMs).toBe(500);
    expect(global.message).toMatch(/global limit/);
    // A proxy's 429 without Discord's body: the header decides, else 1 s.
    expect(classifyDiscordResponse(429, "slow down", headers({ "retry-after": "7" }), host).retryAfterMs).toBe(7000);
    expect(classifyDiscordResponse(429, "", headers(), host).retryAfterMs).toBe(1000);
  });

  it("5xx backs off with a Discord hint; Discord's JSON error codes are permanent with a fix", () => {
    const server = classifyDiscordResponse(502, "<html>bad gateway</html>", headers(), host);
    expect(server.retry).toBe("backoff");
    expect(server.hint).toMatch(/discordstatus\.com/);
    expect(
      classifyDiscordResponse(404, '{"message": "Unknown Webhook", "code": 10015}', headers(), host),
    ).toMatchObject({ code: "unknown_webhook", retry: "never", hint: expect.stringMatching(/create a new one/) });
    expect(
      classifyDiscordResponse(401, '{"message": "Invalid Webhook Token", "code": 50027}', headers(), host),
    ).toMatchObject({ code: "invalid_webhook_token", retry: "never" });
    const form = classifyDiscordResponse(
      400,
      JSON.stringify({
        code: 50035,
        message: "Invalid Form Body",
        errors: {
          embeds: { 0: { fields: { 6: { value: { _errors: [{ message: "Must be 1024 or fewer in length." }] } } } } },
        },
      }),
      headers(),
      host,
    );
    expect(form).toMatchObject({ code: "invalid_form_body", retry: "never", scope: "message" });
    expect(form.message).toContain("embeds.0.fields.6.value: Must be 1024 or fewer in length.");
    expect(form.hint).toMatch(/bug in socket-notify/);
    const other = classifyDiscordResponse(403, "forbidden by proxy", headers(), host);
    expect(other).toMatchObject({ retry: "never" });
    expect(other.message).toContain("forbidden by proxy");
  });
});
