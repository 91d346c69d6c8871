/**
 * Reading requests and writing replies. Web API arguments arrive the ways Slack accepts
 * them: form-encoded (what @slack/web-api sends, with `blocks` JSON-stringified in a field),
 * JSON, multipart, or the query string.
 */
import { type IncomingMessage, type ServerResponse } from "node:http";
import { type Reply } from "./reply.js";

/** Far above any valid message (50 blocks × 3000 chars, 40,000 chars of text). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body over ${MAX_BODY_BYTES} bytes`);
    this.name = "BodyTooLargeError";
  }
}

export async function readBody(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Form fields that carry JSON; Slack and @slack/web-api stringify them into the form. */
const JSON_FIELDS = ["blocks", "attachments", "metadata", "view"] as const;

export type ParsedArgs =
  | { readonly ok: true; readonly args: Record<string, unknown>; readonly token: string | undefined }
  | { readonly ok: false; readonly error: string };

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match?.[1];
}

function fromEntries(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of entries) args[key] = value;
  return args;
}

async function parseBody(type: string, contentType: string, body: Buffer): Promise<Record<string, unknown> | string> {
  if (type === "application/json") {
    let data: unknown;
    try {
      data = JSON.parse(body.toString("utf8"));
    } catch {
      return "invalid_json";
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) return "invalid_json";
    // Slack ignores a token inside a JSON body: JSON calls must use the Authorization header.
    const { token: _ignored, ...args } = data as Record<string, unknown>;
    return args;
  }
  if (type === "application/x-www-form-urlencoded") {
    return fromEntries(new URLSearchParams(body.toString("utf8")));
  }
  if (type === "multipart/form-data") {
    try {
      const form = await new Response(body, { headers: { "content-type": contentType } }).formData();
      return fromEntries(
        [...form.entries()].filter((entry): entry is [string, string] => typeof entry[1] === "string"),
      );
    } catch {
      return "invalid_form_data";
    }
  }
  return "invalid_post_type";
}

/**
 * Query arguments merged with the body's (the body wins), JSON fields decoded, and the
 * token taken from `Authorization: Bearer`, else from a form/query `token` field.
 */
export async function parseApiArgs(req: IncomingMessage, url: URL, body: Buffer): Promise<ParsedArgs> {
  const args = fromEntries(url.searchParams);
  if (body.length > 0) {
    const contentType = req.headers["content-type"] ?? "";
    const parsed = await parseBody(mediaType(contentType), contentType, body);
    if (typeof parsed === "string") return { ok: false, error: parsed };
    Object.assign(args, parsed);
  }
  for (const field of JSON_FIELDS) {
    const value = args[field];
    if (typeof value !== "string") continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      // Left as a string: the validator reports it as invalid_blocks_format.
    }
  }
  const fieldToken = typeof args["token"] === "string" ? args["token"] : undefined;
  delete args["token"];
  return { ok: true, args, token: bearerToken(req.headers.authorization) ?? fieldToken };
}

/** A webhook body: a JSON object, whatever Content-Type says; anything else is refused. */
export function parseWebhookBody(body: Buffer): Record<string, unknown> | undefined {
  try {
    const data: unknown = JSON.parse(body.toString("utf8"));
    return typeof data === "object" && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function writeReply(
  res: ServerResponse,
  reply: Pick<Reply, "status" | "contentType" | "body" | "headers">,
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, {
    ...reply.headers,
    "content-type": reply.contentType,
    "content-length": Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  writeReply(res, { status, contentType: "application/json; charset=utf-8", body: JSON.stringify(body), headers: {} });
}
