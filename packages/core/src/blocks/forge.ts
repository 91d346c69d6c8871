import { type Forge, type ScanContext } from "../model.js";
import { isSafeUrl } from "./mrkdwn.js";

/** Public hosts whose kind is known from the name alone; self-hosted ones come from the CI's own variables. */
const KNOWN_HOSTS: Record<string, Forge["kind"]> = {
  "github.com": "github",
  "www.github.com": "github",
  "gitlab.com": "gitlab",
  "www.gitlab.com": "gitlab",
  "bitbucket.org": "bitbucket",
  "www.bitbucket.org": "bitbucket",
};

/** A forge from a base URL the CI gave for it (GITHUB_SERVER_URL, CI_SERVER_URL…): http(s) only, no path junk. */
export function forgeAt(kind: Forge["kind"], url: string | undefined): Forge | undefined {
  if (!url || !isSafeUrl(url)) return undefined;
  const u = new URL(url);
  if (u.username || u.password || u.search || u.hash) return undefined;
  return { kind, url: `${u.origin}${u.pathname.replace(/\/+$/, "")}` };
}

/** Where a forge's web pages put a PR and a commit under the repository (`<repo>/<pr>/<n>`). */
const URL_PATHS: Record<Forge["kind"], { pr: RegExp; commit: RegExp }> = {
  github: { pr: /^pull\/(\d{1,12})(?:\/|$)/, commit: /^commits?\/([0-9a-f]{7,64})(?:\/|$)/i },
  gitlab: { pr: /^merge_requests\/(\d{1,12})(?:\/|$)/, commit: /^commits?\/([0-9a-f]{7,64})(?:\/|$)/i },
  bitbucket: { pr: /^pull-requests\/(\d{1,12})(?:\/|$)/, commit: /^commits?\/([0-9a-f]{7,64})(?:\/|$)/i },
};

export interface RepoUrl {
  forge: Forge;
  /** `owner/repo` (GitLab: `group/sub/repo`). */
  repo: string;
  /** The PR (merge request) number, when the URL was a PR's page. */
  pr?: string;
  /** The commit, when the URL was a commit's page. */
  commitSha?: string;
}

/**
 * The forge and `owner/repo` of a repository URL on a public forge:
 * `https://github.com/acme/app.git`, `git@gitlab.com:group/sub/app.git`, `ssh://git@bitbucket.org/team/app`,
 * and the web pages under it: `https://github.com/acme/app/pull/12` (also gives the PR),
 * `https://gitlab.com/group/app/-/commit/<sha>` (the commit). Links are built from the parts, on
 * `https://` (never the URL as given), and only for github.com, gitlab.com and bitbucket.org:
 * another host's kind is not known from its name.
 */
export function forgeFromRepoUrl(url: string | undefined): RepoUrl | undefined {
  if (!url) return undefined;
  const m =
    /^(?:(?:https?|ssh|git):\/\/)?(?:[^@/\s]+@)?([A-Za-z0-9.-]+)(?::\d+)?[:/]([^?#\s]+?)(?:\.git)?\/?(?:[?#]\S*)?$/.exec(
      url.trim(),
    );
  if (!m) return undefined;
  const host = m[1]!.toLowerCase();
  const kind = KNOWN_HOSTS[host];
  if (!kind) return undefined;
  // GitHub and Bitbucket repositories are exactly owner/name; GitLab groups nest, and its pages
  // under a project start at `/-/`.
  const parts = m[2]!.split("/");
  const cut = kind === "gitlab" ? (parts.indexOf("-") < 0 ? parts.length : parts.indexOf("-")) : 2;
  const repo = parts.slice(0, cut).join("/");
  const rest = parts.slice(kind === "gitlab" ? cut + 1 : cut).join("/");
  if (!/^[\w.-]+(?:\/[\w.-]+)+$/.test(repo) || repo.split("/").some((s) => s === "." || s === "..")) return undefined;
  const out: RepoUrl = {
    forge: { kind, url: `https://${host.replace(/^www\./, "")}` },
    repo: repo.replace(/\.git$/, ""),
  };
  const pr = URL_PATHS[kind].pr.exec(rest)?.[1];
  const commit = URL_PATHS[kind].commit.exec(rest)?.[1];
  if (pr) out.pr = pr;
  if (commit) out.commitSha = commit;
  return out;
}

export interface ForgeLinks {
  repo?: string;
  branch?: string;
  pr?: string;
  commit?: string;
}

/**
 * Links to the repository, branch, PR and commit on the scan's forge. Each path segment is
 * percent-encoded (a repo or branch name comes from the report), a PR must be a number and a
 * commit hex, and every URL is checked again: anything else is left unlinked.
 */
export function forgeLinks(scan: ScanContext): ForgeLinks {
  const f = scan.forge;
  const out: ForgeLinks = {};
  if (!f || !scan.repo || !isSafeUrl(f.url)) return out;
  const segments = scan.repo.split("/");
  if (segments.length < 2 || segments.some((s) => s === "" || s === "." || s === "..")) return out;
  const base = `${f.url.replace(/\/+$/, "")}/${segments.map(encodeURIComponent).join("/")}`;
  const pr = scan.pr?.replace(/^#/, "");
  const sha = scan.commitSha;
  const paths = {
    github: { pr: "pull", commit: "commit", branch: "tree" },
    gitlab: { pr: "-/merge_requests", commit: "-/commit", branch: "-/tree" },
    bitbucket: { pr: "pull-requests", commit: "commits", branch: "src" },
  }[f.kind];
  const safe = (u: string) => (isSafeUrl(u) ? u : undefined);
  const set = (k: keyof ForgeLinks, u: string | undefined) => {
    if (u) out[k] = u;
  };
  set("repo", safe(base));
  if (scan.branch)
    set("branch", safe(`${base}/${paths.branch}/${scan.branch.split("/").map(encodeURIComponent).join("/")}`));
  if (pr && /^\d{1,12}$/.test(pr)) set("pr", safe(`${base}/${paths.pr}/${pr}`));
  if (sha && /^[0-9a-f]{7,64}$/i.test(sha)) set("commit", safe(`${base}/${paths.commit}/${sha}`));
  return out;
}
