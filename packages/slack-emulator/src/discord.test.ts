import { afterEach, describe, expect, it } from "vitest";
import { type DiscordFake, startDiscordFake, validateDiscordMessage } from "./discord.js";

let fake: DiscordFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the Discord webhook fake", () => {
  it("stores a message and answers with Discord's rate-limit headers (200 with ?wait=true, else 204)", async () => {
    fake = await startDiscordFake();
    const url = fake.webhookUrl("ops");
    const waited = await post(`${url}?wait=true`, { content: "hi" });
    expect(waited.status).toBe(200);
    expect(((await waited.json()) as { id: string }).id).toMatch(/^\d+$/);
    expect(waited.headers.get("x-ratelimit-limit")).toBe("5");
    expect(waited.headers.get("x-ratelimit-remaining")).toBe("4");
    expect(Number(waited.headers.get("x-ratelimit-reset-after"))).toBeGreaterThan(0);
    expect(waited.headers.get("x-ratelimit-bucket")).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(waited.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000 - 1);
    expect((await post(url, { content: "again" })).status).toBe(204);
    expect(fake.messagesOf("ops").map((m) => m.body.content)).toEqual(["hi", "again"]);
  });

  it("rate-limits per webhook: 429 with retry_after (float seconds), global false, Retry-After", async () => {
    let now = 1_000_000;
    fake = await startDiscordFake({ rateLimit: { limit: 2, windowMs: 2000 }, now: () => now });
    const url = fake.webhookUrl();
    expect((await post(url, { content: "1" })).status).toBe(204);
    now += 500;
    expect((await post(url, { content: "2" })).status).toBe(204);
    const limited = await post(url, { content: "3" });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ message: "You are being rate limited.", retry_after: 1.5, global: false });
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    // Another webhook has its own bucket.
    expect((await post(fake.webhookUrl("other"), { content: "x" })).status).toBe(204);
    now += 1500;
    expect((await post(url, { content: "3" })).status).toBe(204);
    expect(fake.messagesOf().map((m) => m.body.content)).toEqual(["1", "2", "3"]);
  });

  it("answers unknown webhooks and wrong tokens as Discord does", async () => {
    fake = await startDiscordFake();
    const url = fake.webhookUrl();
    const unknown = await post(url.replace(/\/webhooks\/\d+\//, "/webhooks/42/"), { content: "x" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: "Unknown Webhook", code: 10015 });
    const wrong = await post(url.replace(/[^/]+$/, "not-the-token"), { content: "x" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ message: "Invalid Webhook Token", code: 50027 });
    expect(fake.messages).toEqual([]);
  });

  it("refuses what is over Discord's limits, naming the field as Discord's error tree does", () => {
    const field = (value: string) => ({ name: "n", value });
    expect(validateDiscordMessage({ content: "" })).toEqual({ message: "Cannot send an empty message", code: 50006 });
    expect(validateDiscordMessage({ content: "x".repeat(2000) })).toBeUndefined();
    expect(validateDiscordMessage({ content: "x".repeat(2001) })).toMatchObject({
      code: 50035,
      errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } },
    });
    expect(validateDiscordMessage({ embeds: [{ fields: [field("ok"), field("x".repeat(1025))] }] })).toMatchObject({
      errors: {
        embeds: { 0: { fields: { 1: { value: { _errors: [{ message: "Must be 1024 or fewer in length." }] } } } } },
      },
    });
    expect(
      validateDiscordMessage({ embeds: [{ fields: Array.from({ length: 26 }, () => field("v")) }] }),
    ).toMatchObject({
      errors: { embeds: { 0: { fields: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } } },
    });
    expect(validateDiscordMessage({ embeds: [{ title: "t".repeat(257) }] })).toMatchObject({ code: 50035 });
    expect(validateDiscordMessage({ embeds: [{ description: "d".repeat(4097) }] })).toMatchObject({ code: 50035 });
    expect(validateDiscordMessage({ embeds: [{ footer: { text: "f".repeat(2049) } }] })).toMatchObject({ code: 50035 });
    expect(validateDiscordMessage({ embeds: [{ author: { name: "a".repeat(257) } }] })).toMatchObject({ code: 50035 });
    // 6,000 across all embeds: two embeds of 3,000 pass, one more character does not.
    const two = [{ description: "d".repeat(3000) }, { description: "d".repeat(3000) }];
    expect(validateDiscordMessage({ embeds: two })).toBeUndefined();
    expect(validateDiscordMessage({ embeds: [...two, { title: "t" }] })).toMatchObject({
      errors: { embeds: { _errors: [{ code: "MAX_EMBED_SIZE_EXCEEDED" }] } },
    });
    expect(validateDiscordMessage({ embeds: Array.from({ length: 11 }, () => ({ title: "t" })) })).toMatchObject({
      errors: { embeds: { _errors: [{ message: "Must be 10 or fewer in length." }] } },
    });
  });

  it("scripted answers come first (a 500, a global 429), then its own behaviour again", async () => {
    fake = await startDiscordFake();
    const url = fake.webhookUrl();
    fake.respond({ status: 500, body: { message: "500: Internal Server Error", code: 0 } });
    fake.rateLimitNext(0.25, { global: true });
    expect((await post(url, { content: "x" })).status).toBe(500);
    const limited = await post(url, { content: "x" });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ retry_after: 0.25, global: true });
    expect(limited.headers.get("x-ratelimit-global")).toBe("true");
    expect((await post(url, { content: "x" })).status).toBe(204);
    expect(fake.requests.map((r) => r.status)).toEqual([500, 429, 204]);
  });
});
