import { type Alert, type AlertAction, type IntroducedBy, type Reachability } from "../model.js";
import { type Severity } from "../severity.js";

/** The fields a parsed alert stores; `url` and `purl` are derived (see ParsedAlert). */
export type StoredAlertFields = Omit<Alert, "url" | "purl">;

/**
 * An alert read from a scan: plain data, except that `purl` and a `url` equal to Socket's usual
 * package page are computed when read instead of stored.
 *
 * Why: a report of 100,000 alerts keeps every alert in memory for the whole run, and those two
 * strings were a third of an alert's size (bench figure 6, peak memory ÷ input size). Both are
 * read only for the few alerts a message shows. `toJSON` gives the full plain object.
 *
 * Both are own, enumerable accessor properties (one shared pair of functions, defined on each
 * alert in the same order, so alerts of one shape share V8's hidden class and are no bigger):
 * `{ ...alert }`, `Object.keys` and `JSON.stringify` see them as on plain data, so a spread is
 * a plain copy with both values. `withFields` copies and keeps the parsed (small) form.
 */
export class ParsedAlert implements Alert {
  // `declare`: no class fields emitted, so an alert has the own properties its input gave,
  // as the plain objects before it did (optional ones only when present).
  declare id: string;
  declare ecosystem: string;
  declare name: string;
  declare namespace?: string;
  declare version: string;
  declare type: string;
  declare severity: Severity;
  declare action: AlertAction;
  declare title: string;
  declare description: string;
  declare suggestion?: string;
  declare nextStep?: string;
  declare introducedBy: IntroducedBy[];
  declare manifests: string[];
  declare ghsaId?: string;
  declare cveId?: string;
  declare origin: Alert["origin"];
  declare reachability?: Reachability;
  /** The input's URL when it is not the usual one; null: the usual one; undefined: none given. */
  #url: string | null | undefined;

  declare url: string | undefined;
  declare readonly purl: string;

  /** `url` and `purl` as own enumerable accessors (see the class comment): made once, shared. */
  static readonly #derived: PropertyDescriptorMap = {
    url: {
      get(this: ParsedAlert): string | undefined {
        const url = this.#url;
        return url === null ? standardUrl(this) : url;
      },
      set(this: ParsedAlert, value: string | undefined) {
        this.#url = value;
      },
      enumerable: true,
      configurable: true,
    },
    purl: {
      get(this: ParsedAlert): string {
        return realPurl(this.ecosystem, this.namespace, this.name, this.version);
      },
      enumerable: true,
      configurable: true,
    },
  };

  constructor(fields: StoredAlertFields, url: string | undefined) {
    Object.assign(this, fields);
    // After the fields: a `url`/`purl` among them (a spread copy) is replaced by the accessors.
    Object.defineProperties(this, ParsedAlert.#derived);
    this.#url = url !== undefined && url === standardUrl(this) ? null : url;
  }

  /** A copy with some fields replaced (what `{ ...alert, reachability }` does for plain data). */
  withFields(fields: Partial<StoredAlertFields>): ParsedAlert {
    const copy = new ParsedAlert({ ...this, ...fields }, undefined);
    copy.#url = this.#url;
    return copy;
  }

  toJSON(): Alert {
    return { ...this };
  }
}

/**
 * A copy of an alert with some fields replaced: what `{ ...alert, ...fields }` gives, but a
 * parsed alert stays a parsed alert (its `url` and `purl` derived, not stored: see ParsedAlert).
 * The original is not changed.
 */
export function withFields(alert: Alert, fields: Partial<StoredAlertFields>): Alert {
  return alert instanceof ParsedAlert ? alert.withFields(fields) : { ...alert, ...fields };
}

/** Socket's package page, as the Socket CLI writes it in `url`. */
function standardUrl(a: Pick<Alert, "ecosystem" | "namespace" | "name" | "version">): string {
  return [
    "https://socket.dev/",
    a.ecosystem,
    "/package/",
    a.namespace ? `${a.namespace}/` : "",
    a.name,
    "/overview/",
    a.version,
  ].join("");
}

/** A real package URL: `pkg:<ecosystem>/<namespace>/<name>@<version>`, each part percent-encoded. */
export function realPurl(ecosystem: string, namespace: string | undefined, name: string, version: string): string {
  const parts = ["pkg:", ecosystem, "/"];
  if (namespace) parts.push(namespace.split("/").map(enc).join("/"), "/");
  parts.push(enc(name));
  if (version) parts.push("@", enc(version));
  return parts.join("");
}

/** encodeURIComponent throws on a lone surrogate (a JSON "\ud800" in a package name): U+FFFD it. */
function enc(s: string): string {
  return encodeURIComponent(
    s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
  );
}
