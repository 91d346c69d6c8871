import { describe, expect, it } from "vitest";
import { validateMessage } from "./validate.js";

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

describe("validateMessage", () => {
  it("accepts text only, blocks only, or attachments only", () => {
    expect(validateMessage({ text: "hi" })).toEqual({ ok: true, text: "hi", truncated: false });
    expect(validateMessage({ blocks: [section("hi")] })).toMatchObject({ ok: true });
    expect(validateMessage({ attachments: [{ fallback: "x", text: "y" }] })).toMatchObject({ ok: true });
  });

  it("answers no_text when there is nothing to show", () => {
    expect(validateMessage({})).toMatchObject({ ok: false, error: "no_text" });
    expect(validateMessage({ text: "", blocks: [] })).toMatchObject({ ok: false, error: "no_text" });
  });

  it("refuses blocks that are not an array, or not JSON at all", () => {
    expect(validateMessage({ blocks: {} })).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect(validateMessage({ text: "x", blocks: "[not json" })).toMatchObject({
      ok: false,
      error: "invalid_blocks_format",
    });
  });

  it("allows 50 blocks and refuses 51 with Slack's pointer", () => {
    expect(validateMessage({ blocks: Array.from({ length: 50 }, () => ({ type: "divider" })) }).ok).toBe(true);
    expect(validateMessage({ blocks: Array.from({ length: 51 }, () => ({ type: "divider" })) })).toEqual({
      ok: false,
      error: "invalid_blocks",
      errors: ["no more than 50 items allowed [json-pointer:/blocks]"],
    });
  });

  it("refuses unknown and missing block types", () => {
    const result = validateMessage({ blocks: [{ type: "video_game" }, { text: "x" }] });
    expect(result).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect(!result.ok && result.errors).toEqual([
      "unsupported block type: video_game [json-pointer:/blocks/0/type]",
      "missing required field: type [json-pointer:/blocks/1]",
    ]);
  });

  it("limits section text to 3000 characters", () => {
    expect(validateMessage({ blocks: [section("a".repeat(3000))] }).ok).toBe(true);
    expect(validateMessage({ blocks: [section("a".repeat(3001))] })).toEqual({
      ok: false,
      error: "invalid_blocks",
      errors: ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
    });
    expect(validateMessage({ blocks: [section("")] })).toMatchObject({
      errors: ["must be more than 0 characters [json-pointer:/blocks/0/text/text]"],
    });
  });

  it("counts characters, not UTF-16 units", () => {
    expect(validateMessage({ blocks: [section("🚨".repeat(3000))] }).ok).toBe(true);
  });

  it("limits section fields to 10 items of 2000 characters", () => {
    const field = (n: number) => ({ type: "mrkdwn", text: "f".repeat(n) });
    expect(
      validateMessage({
        blocks: [{ type: "section", fields: [...Array.from({ length: 9 }, () => field(1000)), field(2000)] }],
      }).ok,
    ).toBe(true);
    expect(
      validateMessage({ blocks: [{ type: "section", fields: Array.from({ length: 11 }, () => field(1)) }] }),
    ).toMatchObject({
      errors: ["no more than 10 items allowed [json-pointer:/blocks/0/fields]"],
    });
    expect(validateMessage({ blocks: [{ type: "section", fields: [field(1), field(2001)] }] })).toMatchObject({
      errors: ["must be less than 2001 characters [json-pointer:/blocks/0/fields/1/text]"],
    });
  });

  it("wants a section to have text or fields, and text objects to be typed", () => {
    expect(validateMessage({ blocks: [{ type: "section" }] })).toMatchObject({
      errors: ["must provide text or fields [json-pointer:/blocks/0]"],
    });
    expect(validateMessage({ blocks: [{ type: "section", text: { type: "html", text: "x" } }] })).toMatchObject({
      errors: ["must be one of plain_text, mrkdwn [json-pointer:/blocks/0/text/type]"],
    });
  });

  it("limits header text to 150 characters of plain_text", () => {
    const header = (type: string, n: number) => ({ type: "header", text: { type, text: "h".repeat(n) } });
    expect(validateMessage({ blocks: [header("plain_text", 150)] }).ok).toBe(true);
    expect(validateMessage({ blocks: [header("plain_text", 151)] })).toMatchObject({
      error: "invalid_blocks",
      errors: ["must be less than 151 characters [json-pointer:/blocks/0/text/text]"],
    });
    expect(validateMessage({ blocks: [header("mrkdwn", 5)] })).toMatchObject({
      errors: ["must be plain_text [json-pointer:/blocks/0/text/type]"],
    });
  });

  it("limits context elements to 10", () => {
    const element = { type: "mrkdwn", text: "c" };
    expect(
      validateMessage({ blocks: [{ type: "context", elements: Array.from({ length: 10 }, () => element) }] }).ok,
    ).toBe(true);
    expect(
      validateMessage({ blocks: [{ type: "context", elements: Array.from({ length: 11 }, () => element) }] }),
    ).toMatchObject({
      errors: ["no more than 10 items allowed [json-pointer:/blocks/0/elements]"],
    });
  });

  it("checks actions, buttons, images, markdown and tables", () => {
    const button = (text: string) => ({ type: "button", text: { type: "plain_text", text }, action_id: "a" });
    expect(validateMessage({ blocks: [{ type: "actions", elements: [button("Open")] }] }).ok).toBe(true);
    expect(validateMessage({ blocks: [{ type: "actions", elements: [button("b".repeat(76))] }] })).toMatchObject({
      errors: ["must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"],
    });
    expect(
      validateMessage({ blocks: [{ type: "actions", elements: Array.from({ length: 26 }, () => button("x")) }] }),
    ).toMatchObject({
      errors: ["no more than 25 items allowed [json-pointer:/blocks/0/elements]"],
    });
    expect(
      validateMessage({ blocks: [{ type: "image", image_url: "https://x.example/a.png", alt_text: "a" }] }).ok,
    ).toBe(true);
    expect(validateMessage({ blocks: [{ type: "image", image_url: "https://x.example/a.png" }] })).toMatchObject({
      errors: ["must be a string [json-pointer:/blocks/0/alt_text]"],
    });
    expect(validateMessage({ blocks: [{ type: "markdown", text: "**bold**" }] }).ok).toBe(true);
    expect(
      validateMessage({ blocks: [{ type: "table", rows: [Array.from({ length: 21 }, () => ({}))] }] }),
    ).toMatchObject({
      errors: ["no more than 20 items allowed [json-pointer:/blocks/0/rows/0]"],
    });
    expect(validateMessage({ blocks: [{ type: "divider", block_id: "b".repeat(256) }] })).toMatchObject({
      errors: ["must be less than 256 characters [json-pointer:/blocks/0/block_id]"],
    });
  });

  it("answers msg_blocks_too_long when all block text passes 12,000 characters", () => {
    const blocks = Array.from({ length: 5 }, () => section("a".repeat(2500)));
    expect(validateMessage({ blocks })).toEqual({ ok: false, error: "msg_blocks_too_long", errors: [] });
    expect(validateMessage({ blocks: blocks.slice(0, 4) }).ok).toBe(true);
  });

  it("truncates top-level text over 40,000 characters without an error", () => {
    const result = validateMessage({ text: "x".repeat(40_001) });
    expect(result.ok).toBe(true);
    expect(result.ok && result.truncated).toBe(true);
    expect(result.ok && result.text?.length).toBe(40_000);
    expect(validateMessage({ text: "x".repeat(40_000) })).toMatchObject({ truncated: false });
  });

  it("refuses more than 100 attachments", () => {
    expect(validateMessage({ attachments: Array.from({ length: 101 }, () => ({ text: "a" })) })).toMatchObject({
      error: "too_many_attachments",
    });
  });
});
