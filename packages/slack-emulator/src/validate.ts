/**
 * Block Kit message validation, shared by the Web API (chat.postMessage, chat.update) and
 * incoming webhooks. It mimics what Slack refuses and how it says so: an error code plus
 * an `errors` list of "<problem> [json-pointer:/blocks/…]" strings (the format Slack returns,
 * e.g. "must be less than 3001 characters [json-pointer:/blocks/0/text/text]").
 *
 * Limits come from docs.slack.dev (reference/block-kit/blocks, the per-block pages, the
 * text-object page and the chat.postMessage page) and node-slack-sdk
 * `packages/types/src/block-kit/*.ts`. It checks the limits an alert sender can hit, not all
 * of Block Kit.
 */

/** Error codes validateMessage can return; all are documented chat.postMessage errors. */
export type MessageErrorCode =
  | "no_text"
  | "invalid_blocks"
  | "invalid_blocks_format"
  | "msg_blocks_too_long"
  | "invalid_attachments"
  | "too_many_attachments";

export type MessageValidationResult =
  | {
      readonly ok: true;
      /** Top-level `text` as Slack would keep it (cut to 40,000 characters), if any. */
      readonly text: string | undefined;
      /** True when `text` was longer than 40,000 characters and was cut. */
      readonly truncated: boolean;
    }
  | {
      readonly ok: false;
      readonly error: MessageErrorCode;
      /** Slack-style "<problem> [json-pointer:…]" details; empty when Slack gives none. */
      readonly errors: readonly string[];
    };

/** Slack silently truncates top-level `text` longer than this (chat.postMessage page). */
export const MAX_TEXT_CHARS = 40_000;
/** Blocks per message (reference/block-kit/blocks; 100 applies only to modals and Home tabs). */
export const MAX_BLOCKS = 50;
/**
 * Sum of all text in a message's blocks. Slack documents 12,000 for markdown blocks
 * (cumulative) and reports `msg_blocks_too_long` for long block messages overall
 * (bolt-js #2509 saw it near 13,300); the emulator uses 12,000 for all block text.
 */
export const MAX_TOTAL_BLOCK_TEXT = 12_000;
/** Attachments per message (`too_many_attachments`, chat.postMessage error table). */
export const MAX_ATTACHMENTS = 100;

/** Any text object: 1..3000 characters (composition-objects/text-object). */
const TEXT_OBJECT_MAX = 3000;
/** Section `fields`: at most 10 items of at most 2000 characters (section-block page). */
const SECTION_FIELDS_MAX = 10;
const SECTION_FIELD_TEXT_MAX = 2000;
/** Header text: plain_text only, at most 150 characters (header-block page). */
const HEADER_TEXT_MAX = 150;
/** Context `elements`: at most 10 images and text objects (context-block page). */
const CONTEXT_ELEMENTS_MAX = 10;
/** Actions `elements`: at most 25 (node-slack-sdk ActionsBlock). */
const ACTIONS_ELEMENTS_MAX = 25;
/** Button text 75, value 2000, url 3000 characters (node-slack-sdk Button). */
const BUTTON_TEXT_MAX = 75;
const BUTTON_VALUE_MAX = 2000;
const URL_MAX = 3000;
/** `block_id` and `action_id`: at most 255 characters (node-slack-sdk blocks.ts). */
const ID_MAX = 255;
/** Image block `alt_text` and `title`: at most 2000 characters (node-slack-sdk ImageBlock). */
const IMAGE_TEXT_MAX = 2000;
/** Markdown block text: 12,000 characters (node-slack-sdk MarkdownBlock). */
const MARKDOWN_TEXT_MAX = 12_000;
/** Table block: at most 100 rows of at most 20 cells (node-slack-sdk TableBlock). */
const TABLE_ROWS_MAX = 100;
const TABLE_CELLS_MAX = 20;

const KNOWN_BLOCK_TYPES: ReadonlySet<string> = new Set([
  "section",
  "divider",
  "header",
  "context",
  "actions",
  "image",
  "rich_text",
  "markdown",
  "table",
]);

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Length in code points, so an emoji counts once and truncation never splits a pair. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function truncate(text: string, max: number): string {
  let n = 0;
  let end = 0;
  for (const ch of text) {
    if (n === max) break;
    n++;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** Collects "<problem> [json-pointer:<pointer>]" strings. */
class Problems {
  readonly list: string[] = [];
  add(pointer: string, problem: string): void {
    this.list.push(`${problem} [json-pointer:${pointer}]`);
  }
  length(pointer: string, value: string, min: number, max: number): void {
    const n = charLength(value);
    if (n < min) this.add(pointer, `must be more than ${min - 1} characters`);
    else if (n > max) this.add(pointer, `must be less than ${max + 1} characters`);
  }
  optionalString(pointer: string, value: unknown, max: number): void {
    if (value === undefined) return;
    if (typeof value !== "string") this.add(pointer, "must be a string");
    else this.length(pointer, value, 1, max);
  }
}

interface TextObjectRules {
  readonly max: number;
  readonly plainOnly?: boolean;
}

function checkTextObject(p: Problems, pointer: string, value: unknown, rules: TextObjectRules): void {
  if (!isObject(value)) {
    p.add(pointer, "must be a text object");
    return;
  }
  const type = value["type"];
  if (rules.plainOnly === true && type !== "plain_text") {
    p.add(`${pointer}/type`, "must be plain_text");
  } else if (type !== "plain_text" && type !== "mrkdwn") {
    p.add(`${pointer}/type`, "must be one of plain_text, mrkdwn");
  }
  const text = value["text"];
  if (typeof text !== "string") p.add(`${pointer}/text`, "must be a string");
  else p.length(`${pointer}/text`, text, 1, rules.max);
}

function checkElementList(p: Problems, pointer: string, value: unknown, max: number): readonly unknown[] {
  if (!Array.isArray(value)) {
    p.add(pointer, "must be an array");
    return [];
  }
  if (value.length === 0) p.add(pointer, "must contain at least 1 item");
  if (value.length > max) p.add(pointer, `no more than ${max} items allowed`);
  return value;
}

function checkImageSource(p: Problems, pointer: string, element: JsonObject): void {
  if (element["image_url"] === undefined && element["slack_file"] === undefined) {
    p.add(pointer, "must provide image_url or slack_file");
  }
  p.optionalString(`${pointer}/image_url`, element["image_url"], URL_MAX);
  const alt = element["alt_text"];
  if (typeof alt !== "string") p.add(`${pointer}/alt_text`, "must be a string");
  else p.length(`${pointer}/alt_text`, alt, 1, IMAGE_TEXT_MAX);
}

function checkSection(p: Problems, pointer: string, block: JsonObject): void {
  const text = block["text"];
  const fields = block["fields"];
  if (text === undefined && fields === undefined) {
    p.add(pointer, "must provide text or fields");
  }
  if (text !== undefined) checkTextObject(p, `${pointer}/text`, text, { max: TEXT_OBJECT_MAX });
  if (fields !== undefined) {
    const list = checkElementList(p, `${pointer}/fields`, fields, SECTION_FIELDS_MAX);
    list.forEach((field, i) => checkTextObject(p, `${pointer}/fields/${i}`, field, { max: SECTION_FIELD_TEXT_MAX }));
  }
  const accessory = block["accessory"];
  if (accessory !== undefined && !isObject(accessory)) p.add(`${pointer}/accessory`, "must be an object");
}

function checkContext(p: Problems, pointer: string, block: JsonObject): void {
  const list = checkElementList(p, `${pointer}/elements`, block["elements"], CONTEXT_ELEMENTS_MAX);
  list.forEach((element, i) => {
    const at = `${pointer}/elements/${i}`;
    if (isObject(element) && element["type"] === "image") checkImageSource(p, at, element);
    else checkTextObject(p, at, element, { max: TEXT_OBJECT_MAX });
  });
}

function checkActions(p: Problems, pointer: string, block: JsonObject): void {
  const list = checkElementList(p, `${pointer}/elements`, block["elements"], ACTIONS_ELEMENTS_MAX);
  list.forEach((element, i) => {
    const at = `${pointer}/elements/${i}`;
    if (!isObject(element) || typeof element["type"] !== "string") {
      p.add(at, "must be an interactive element with a type");
      return;
    }
    p.optionalString(`${at}/action_id`, element["action_id"], ID_MAX);
    if (element["type"] === "button") {
      checkTextObject(p, `${at}/text`, element["text"], { max: BUTTON_TEXT_MAX, plainOnly: true });
      p.optionalString(`${at}/value`, element["value"], BUTTON_VALUE_MAX);
      p.optionalString(`${at}/url`, element["url"], URL_MAX);
    }
  });
}

function checkTable(p: Problems, pointer: string, block: JsonObject): void {
  const rows = checkElementList(p, `${pointer}/rows`, block["rows"], TABLE_ROWS_MAX);
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) p.add(`${pointer}/rows/${i}`, "must be an array");
    else if (row.length > TABLE_CELLS_MAX) {
      p.add(`${pointer}/rows/${i}`, `no more than ${TABLE_CELLS_MAX} items allowed`);
    }
  });
}

function checkBlock(p: Problems, pointer: string, block: unknown): void {
  if (!isObject(block)) {
    p.add(pointer, "must be an object");
    return;
  }
  const type = block["type"];
  if (typeof type !== "string") {
    p.add(pointer, "missing required field: type");
    return;
  }
  if (!KNOWN_BLOCK_TYPES.has(type)) {
    p.add(`${pointer}/type`, `unsupported block type: ${type}`);
    return;
  }
  p.optionalString(`${pointer}/block_id`, block["block_id"], ID_MAX);
  switch (type) {
    case "section":
      checkSection(p, pointer, block);
      break;
    case "header":
      checkTextObject(p, `${pointer}/text`, block["text"], { max: HEADER_TEXT_MAX, plainOnly: true });
      break;
    case "context":
      checkContext(p, pointer, block);
      break;
    case "actions":
      checkActions(p, pointer, block);
      break;
    case "image":
      checkImageSource(p, pointer, block);
      if (block["title"] !== undefined) {
        checkTextObject(p, `${pointer}/title`, block["title"], { max: IMAGE_TEXT_MAX, plainOnly: true });
      }
      break;
    case "rich_text":
      if (!Array.isArray(block["elements"])) p.add(`${pointer}/elements`, "must be an array");
      break;
    case "markdown": {
      const text = block["text"];
      if (typeof text !== "string") p.add(`${pointer}/text`, "must be a string");
      else p.length(`${pointer}/text`, text, 1, MARKDOWN_TEXT_MAX);
      break;
    }
    case "table":
      checkTable(p, pointer, block);
      break;
    default:
      // divider: no fields to check.
      break;
  }
}

/** Sum of every string found under a `text` key (text objects, markdown, rich_text runs). */
function blockTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + blockTextLength(item), 0);
  if (!isObject(value)) return 0;
  let sum = 0;
  for (const [key, item] of Object.entries(value)) {
    sum += key === "text" && typeof item === "string" ? charLength(item) : blockTextLength(item);
  }
  return sum;
}

function fail(error: MessageErrorCode, errors: readonly string[] = []): MessageValidationResult {
  return { ok: false, error, errors };
}

/**
 * Checks a message payload (`text`, `blocks`, `attachments`) the way Slack does.
 * `blocks`/`attachments` must already be decoded; a string left in them means the client
 * sent something that was not JSON, which Slack calls `invalid_blocks_format`.
 */
export function validateMessage(payload: Readonly<Record<string, unknown>>): MessageValidationResult {
  const rawText = payload["text"];
  const text = typeof rawText === "string" ? rawText : typeof rawText === "number" ? String(rawText) : undefined;
  const blocks = payload["blocks"] ?? undefined;
  const attachments = payload["attachments"] ?? undefined;

  if (typeof blocks === "string") return fail("invalid_blocks_format", ["must be a JSON array [json-pointer:/blocks]"]);
  if (blocks !== undefined && !Array.isArray(blocks)) {
    return fail("invalid_blocks", ["must be an array [json-pointer:/blocks]"]);
  }
  if (attachments !== undefined && !Array.isArray(attachments)) return fail("invalid_attachments");
  if (attachments !== undefined && attachments.length > MAX_ATTACHMENTS) return fail("too_many_attachments");

  const hasContent =
    (text !== undefined && text.length > 0) ||
    (blocks !== undefined && blocks.length > 0) ||
    (attachments !== undefined && attachments.length > 0);
  if (!hasContent) return fail("no_text");

  if (blocks !== undefined) {
    if (blocks.length > MAX_BLOCKS) {
      return fail("invalid_blocks", [`no more than ${MAX_BLOCKS} items allowed [json-pointer:/blocks]`]);
    }
    const problems = new Problems();
    blocks.forEach((block, i) => checkBlock(problems, `/blocks/${i}`, block));
    if (problems.list.length > 0) return fail("invalid_blocks", problems.list);
    if (blockTextLength(blocks) > MAX_TOTAL_BLOCK_TEXT) return fail("msg_blocks_too_long");
  }

  if (text !== undefined && charLength(text) > MAX_TEXT_CHARS) {
    return { ok: true, text: truncate(text, MAX_TEXT_CHARS), truncated: true };
  }
  return { ok: true, text, truncated: false };
}
