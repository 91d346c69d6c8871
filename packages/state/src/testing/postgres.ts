/**
 * A real, throwaway PostgreSQL for tests: `SOCKET_NOTIFY_TEST_DATABASE_URL` when set, else Debian's
 * `initdb` + `pg_ctl` on a temporary directory with a private port and socket directory (run as
 * the `postgres` user when we are root: PostgreSQL refuses to run as root).
 *
 * Absent PostgreSQL, tests skip with a visible line; with SOCKET_NOTIFY_REQUIRE_SERVICES=1 (.ci/run)
 * that is a failure instead.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface TestPostgres {
  /** A URL for a new, empty database each call. */
  newDatabase(): Promise<string>;
  /** The server's admin URL. */
  adminUrl: string;
  stop(): Promise<void>;
}

function findBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let dbCounter = 0;

async function harness(adminUrl: string, stop: () => Promise<void>): Promise<TestPostgres> {
  return {
    adminUrl,
    stop,
    async newDatabase() {
      const name = `sn_test_${process.pid}_${Date.now().toString(36)}_${++dbCounter}`;
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
  };
}

async function startLocal(bin: string): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "sn-pg-"));
  const root = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    root
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, cmd), args, { stdio: "pipe" });
  if (root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, "data");
  run("initdb", ["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "-D", data]);
  const port = await freePort();
  run("pg_ctl", [
    "-D",
    data,
    "-l",
    join(dir, "log"),
    "-o",
    `-k ${dir} -c listen_addresses=127.0.0.1 -p ${port} -c fsync=off -c max_connections=200`,
    "-w",
    "-t",
    "60",
    "start",
  ]);
  return harness(`postgres://postgres@127.0.0.1:${port}/postgres`, async () => {
    try {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * The test PostgreSQL, or undefined (with a visible SKIPPED line) when there is none.
 * Throws when there is none and SOCKET_NOTIFY_REQUIRE_SERVICES=1.
 */
export async function testPostgres(what: string): Promise<TestPostgres | undefined> {
  const url = process.env.SOCKET_NOTIFY_TEST_DATABASE_URL;
  if (url) return harness(url, async () => {});
  const bin = findBin();
  if (!bin) {
    const how = "apt-get install -y postgresql, or set SOCKET_NOTIFY_TEST_DATABASE_URL";
    if (process.env.SOCKET_NOTIFY_REQUIRE_SERVICES === "1")
      throw new Error(`${what} needs PostgreSQL, which SOCKET_NOTIFY_REQUIRE_SERVICES=1 requires: ${how}`);
    console.warn(`SKIPPED: ${what} needs PostgreSQL: ${how}`);
    return undefined;
  }
  return startLocal(bin);
}
