/**
 * The few Web API calls the receiver makes (chat.update, chat.postMessage, usergroups.users.list)
 * and response_url posts. Form-encoded like @slack/web-api (JSON fields stringified), a timeout
 * on every call, no retries: the receiver reports a failure in the thread instead of hanging.
 */
export class SlackApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
  ) {
    super(`${method} failed: ${code}`);
    this.name = "SlackApiError";
  }
}

export class SlackApi {
  constructor(
    private readonly token: string,
    private readonly apiUrl: string,
    private readonly fetchFn: typeof fetch = fetch,
    private readonly timeoutMs = 10_000,
  ) {}

  async call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(args))
      if (v !== undefined) form.set(k, typeof v === "string" ? v : JSON.stringify(v));
    const res = await this.fetchFn(new URL(method, this.apiUrl), {
      method: "POST",
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new SlackApiError(method, `HTTP ${res.status}`);
    }
    if (body["ok"] !== true) throw new SlackApiError(method, String(body["error"] ?? `HTTP ${res.status}`));
    return body;
  }

  /** Posts to a response_url (an ephemeral note to the person who clicked or typed). */
  async respond(url: string, body: Record<string, unknown>): Promise<void> {
    if (!/^https?:\/\//.test(url)) throw new SlackApiError("response_url", "not an http(s) URL");
    const res = await this.fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new SlackApiError("response_url", `HTTP ${res.status}`);
  }
}
