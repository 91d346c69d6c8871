import { AsyncLocalStorage } from "node:async_hooks";
import diagnosticsChannel from "node:diagnostics_channel";

/**
 * When a send's HTTP request actually left: the moment undici wrote its headers to the socket
 * (diagnostics channel `undici:client:sendHeaders`), after the connection (TCP, TLS, a proxy's
 * CONNECT) was set up and after whatever delayed the call (a cold module, a busy event loop).
 * That is the closest a client gets to when Slack sees the request arrive, which is what its
 * limiter counts. Node's fetch and undici 7 (proxies) both publish on these channels.
 *
 * And when its answer began to arrive (`undici:request:headers`: the response's status line and
 * headers parsed), before the body is read and before the notifier (the Slack SDK) handles it.
 * The request arrived before that moment, whatever the network or the server did: it bounds the
 * arrival of a key's first request without counting our own processing of the answer.
 *
 * The send runs in an AsyncLocalStorage slot; `undici:request:create` fires inside the fetch
 * call (so in the send's async context) and ties the request object to the slot.
 */
export interface WireSlot {
  /** `performance.now()` when the first request of this send wrote its headers. */
  sentAt?: number;
  /** `performance.now()` when that same request's response headers arrived. */
  answeredAt?: number;
  /** The request that set `sentAt` (the first of the send; a notifier may make more). */
  request?: object;
}

const current = new AsyncLocalStorage<WireSlot>();
const slots = new WeakMap<object, WireSlot>();
let subscribed = false;

function subscribe(): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe("undici:request:create", (m) => {
    const slot = current.getStore();
    const request = (m as { request?: object }).request;
    if (slot && request) slots.set(request, slot);
  });
  diagnosticsChannel.subscribe("undici:client:sendHeaders", (m) => {
    const request = (m as { request?: object }).request;
    const slot = request ? slots.get(request) : undefined;
    if (slot && slot.sentAt === undefined) {
      slot.sentAt = performance.now();
      slot.request = request;
    }
  });
  diagnosticsChannel.subscribe("undici:request:headers", (m) => {
    const request = (m as { request?: object }).request;
    const slot = request ? slots.get(request) : undefined;
    if (slot && slot.request === request && slot.answeredAt === undefined) slot.answeredAt = performance.now();
  });
}

/** Run `send` with its requests' wire time recorded in `slot`. */
export function trackWireTime<T>(slot: WireSlot, send: () => Promise<T>): Promise<T> {
  subscribe();
  return current.run(slot, send);
}
