// node:net loads on first use: only a run with a proxy variable matches hosts (cold start).
const nodeNet = (): typeof import("node:net") => process.getBuiltinModule("node:net");
import type * as Undici from "undici";
import { UserError } from "../errors.js";
import { Secret } from "../secret.js";
import { type FetchFunction } from "../contract/context.js";

/**
 * HTTP(S) proxies from the environment, for every request core's fetch makes (webhook mode, the
 * bot's Web API client, every plugin through `host.fetch`). Only the environment: a config
 * key would let a pull request's rc file send the traffic (and the token) through a machine of
 * its choosing.
 *
 * Which proxy, as curl does: an `https:` URL goes through `https_proxy` / `HTTPS_PROXY`, an
 * `http:` URL (the loopback emulator) through `http_proxy` / `HTTP_PROXY`; the lower-case form
 * wins; an unset variable means no proxy for that scheme (no falling back from https to
 * HTTP_PROXY, unlike undici's EnvHttpProxyAgent). Loopback is not special: `localhost` and
 * `127.0.0.1` go through the proxy unless `NO_PROXY` lists them (curl, Go and undici agree).
 */
export interface ProxyRoute {
  /** The variable it came from, for messages: `HTTPS_PROXY`, `http_proxy`. */
  variable: string;
  /** The proxy URL with any credentials replaced by `****`: safe to print. */
  display: string;
  /** The proxy URL without credentials. */
  url: URL;
  /** `Basic …` when the URL carried credentials. */
  authorization?: string;
}

export interface ProxySettings {
  http?: ProxyRoute;
  https?: ProxyRoute;
  /** The `NO_PROXY` value as given ("" when unset). */
  noProxy: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function pick(env: Env, lower: string): { name: string; value: string } | undefined {
  for (const name of [lower, lower.toUpperCase()]) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/**
 * The proxies the environment asks for, or undefined when none is set. Credentials in a proxy
 * URL become secrets in `secrets` (the run's scrub list). A malformed value is a `UserError`
 * naming the variable (never quoting it: it may hold a password).
 */
export function proxySettings(env: Env, secrets?: Secret[]): ProxySettings | undefined {
  const http = route(pick(env, "http_proxy"), secrets);
  const https = route(pick(env, "https_proxy"), secrets);
  if (!http && !https) return undefined;
  const noProxy = pick(env, "no_proxy")?.value ?? "";
  return { ...(http ? { http } : {}), ...(https ? { https } : {}), noProxy };
}

function route(given: { name: string; value: string } | undefined, secrets?: Secret[]): ProxyRoute | undefined {
  if (!given) return undefined;
  const { name, value } = given;
  let url: URL;
  try {
    // curl takes `proxy.corp:3128` as http://proxy.corp:3128.
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new UserError("proxy_invalid", `${name} is not a valid proxy URL`, {
      hint: `set ${name} to http://host:port (or http://user:password@host:port)`,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UserError("proxy_invalid", `${name}: proxy scheme ${url.protocol.replace(":", "")} is not supported`, {
      hint: `use an http:// or https:// proxy URL in ${name}`,
    });
  }
  let authorization: string | undefined;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const shown = `${url.protocol}//****@${url.host}`;
    if (secrets) {
      // Every form the credentials could be echoed in: the whole URL, the password (raw and
      // as written in the URL), user:password and its Basic encoding.
      for (const raw of new Set([value, password, url.password, `${user}:${password}`, authorization.slice(6)])) {
        if (raw) secrets.push(new Secret(raw, raw === value ? shown : "****"));
      }
    }
    url.username = "";
    url.password = "";
  }
  return {
    variable: name,
    display: `${url.protocol}//${authorization ? "****@" : ""}${url.host}`,
    url,
    ...(authorization ? { authorization } : {}),
  };
}

/**
 * Whether `NO_PROXY` says to reach `target` directly, with curl's rules: a comma (or space)
 * separated list; `*` alone matches everything; a name matches itself and its subdomains (a
 * leading `.` or `*.` is ignored); an IP address matches itself, a CIDR range its addresses;
 * `host:port` matches only that port (undici's and Go's extension; curl ignores the port).
 */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const entries = noProxy.split(/[,\s]+/).filter(Boolean);
  if (!entries.length) return false;
  if (entries.some((e) => e === "*")) return true;
  const host = target.hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  const port = Number(target.port) || (target.protocol === "https:" ? 443 : 80);
  const ipType = nodeNet().isIP(host);
  for (const raw of entries) {
    let entry = raw.toLowerCase();
    let entryPort = 0;
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (withPort) {
      entry = withPort[1]!;
      entryPort = Number(withPort[2]);
    }
    if (entryPort && entryPort !== port) continue;
    entry = entry.replace(/^\[|\]$/g, "");
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr && ipType) {
      const base = cidr[1]!;
      const baseType = nodeNet().isIP(base);
      if (baseType !== ipType) continue;
      const list = new (nodeNet().BlockList)();
      try {
        list.addSubnet(base, Number(cidr[2]), baseType === 6 ? "ipv6" : "ipv4");
      } catch {
        continue; // a prefix out of range matches nothing
      }
      if (list.check(host, ipType === 6 ? "ipv6" : "ipv4")) return true;
      continue;
    }
    if (nodeNet().isIP(entry)) {
      if (ipType && entry === host) return true;
      continue;
    }
    const name = entry.replace(/^\*?\./, "").replace(/\.$/, "");
    if (name && !ipType && (host === name || host.endsWith(`.${name}`))) return true;
  }
  return false;
}

/** Which proxy (if any) a request to `target` goes through. */
export function proxyFor(target: URL, settings: ProxySettings): ProxyRoute | undefined {
  const route = target.protocol === "https:" ? settings.https : target.protocol === "http:" ? settings.http : undefined;
  if (!route || bypassesProxy(target, settings.noProxy)) return undefined;
  return route;
}

/** A failure on the way through the proxy, described without its credentials. */
export class ProxyError extends Error {
  override name = "ProxyError";
  constructor(
    message: string,
    /** `proxy_auth` (407: wrong or missing credentials) or `proxy_error` (unreachable, refused the tunnel). */
    readonly code: "proxy_auth" | "proxy_error",
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  ETIMEDOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
};

/** undici's error for a failed proxy exchange → a ProxyError, or undefined if the proxy is not to blame. */
function proxyFailure(err: unknown, route: ProxyRoute): ProxyError | undefined {
  // fetch's TypeError wraps the network error, sometimes twice (a 407 to CONNECT is
  // TypeError → DOMException "Request was cancelled" → RequestAbortedError): read the chain.
  type Cause = { message?: string; code?: string; port?: number; cause?: unknown };
  const chain: Cause[] = [];
  for (let c = (err as Cause)?.cause as Cause | undefined; c && chain.length < 5; c = c.cause as Cause | undefined)
    chain.push(c);
  const text = chain.map((c) => c.message ?? "").join("\n");
  const cause = chain.find((c) => c.code && NETWORK_CODES[c.code]);
  const via = `the proxy ${route.display} (from ${route.variable})`;
  const status =
    /Proxy response \((\d{3})\)/.exec(text)?.[1] ??
    (/Proxy Authentication Required \(407\)/.test(text) ? "407" : undefined);
  if (status === "407") {
    return new ProxyError(
      `${via} answered 407 Proxy Authentication Required`,
      "proxy_auth",
      `put the proxy's user and password in ${route.variable} (http://user:password@host:port; %-encode special characters)`,
      { cause: err },
    );
  }
  if (status) {
    return new ProxyError(
      `${via} refused the connection to Slack (HTTP ${status})`,
      "proxy_error",
      `check that the proxy allows CONNECT to the Slack host, or list the host in NO_PROXY`,
      { cause: err },
    );
  }
  const port = Number(route.url.port) || (route.url.protocol === "https:" ? 443 : 80);
  const code = cause?.code ?? "";
  if (code && (cause?.port === undefined || cause.port === port)) {
    return new ProxyError(
      `cannot reach ${via}: ${NETWORK_CODES[code]}`,
      "proxy_error",
      `check ${route.variable} (host and port of the proxy), or unset it to connect directly`,
      { cause: err },
    );
  }
  return undefined;
}

function targetOf(input: Parameters<FetchFunction>[0]): URL {
  if (input instanceof URL) return input;
  return new URL(typeof input === "string" ? input : input.url);
}

let undiciModule: Promise<typeof Undici> | undefined;

/**
 * A fetch that honours the environment's proxies, or undefined when none is set (then the
 * global fetch is used as it is: undici is loaded only when a proxy is). Requests that go
 * through a proxy use undici 7's own `fetch` with a `ProxyAgent` as dispatcher (a tunnel by
 * CONNECT, for http targets too), so the dispatcher and the fetch are one undici version.
 */
export async function proxyFetch(env: Env, secrets?: Secret[]): Promise<FetchFunction | undefined> {
  const settings = proxySettings(env, secrets);
  if (!settings) return undefined;
  undiciModule ??= import("undici");
  const undici = await undiciModule;
  const agents = new Map<ProxyRoute, Undici.Dispatcher>();
  const agentFor = (route: ProxyRoute) => {
    let agent = agents.get(route);
    if (!agent) {
      agent = new undici.ProxyAgent({
        uri: route.url.href,
        ...(route.authorization ? { token: route.authorization } : {}),
      });
      agents.set(route, agent);
    }
    return agent;
  };
  const fetchFn = async (input: Parameters<FetchFunction>[0], init?: RequestInit): Promise<Response> => {
    const route = proxyFor(targetOf(input), settings);
    if (!route) return globalThis.fetch(input, init);
    try {
      return (await undici.fetch(
        input as never,
        { ...(init as object), dispatcher: agentFor(route) } as never,
      )) as unknown as Response;
    } catch (e) {
      throw proxyFailure(e, route) ?? e;
    }
  };
  return fetchFn as FetchFunction;
}
