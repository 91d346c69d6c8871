import { type ScanContext } from "@socket-notify/core";

/**
 * Where the scan ran, from the CI system's own variables, so `repos` filters and message
 * headers work when the Socket report leaves repo or branch out. Only fills what the report
 * does not say; `--repo` and friends override both.
 */
export function contextFromCiEnv(env: Record<string, string | undefined>): ScanContext & { provider?: string } {
  const v = (k: string) => {
    const x = env[k];
    return x === undefined || x === "" ? undefined : x;
  };
  if (v("GITHUB_ACTIONS") === "true") {
    const ref = v("GITHUB_REF") ?? "";
    const pr = /^refs\/pull\/(\d+)\//.exec(ref)?.[1];
    return clean({ provider: "github", repo: v("GITHUB_REPOSITORY"), branch: v("GITHUB_HEAD_REF") ?? v("GITHUB_REF_NAME"), pr, commitSha: v("GITHUB_SHA") });
  }
  if (v("GITLAB_CI") === "true") {
    return clean({
      provider: "gitlab",
      repo: v("CI_PROJECT_PATH"),
      branch: v("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") ?? v("CI_COMMIT_REF_NAME"),
      pr: v("CI_MERGE_REQUEST_IID"),
      commitSha: v("CI_COMMIT_SHA"),
    });
  }
  if (v("BUILDKITE") === "true") {
    const pr = v("BUILDKITE_PULL_REQUEST");
    return clean({
      provider: "buildkite",
      repo: repoFromUrl(v("BUILDKITE_REPO")),
      branch: v("BUILDKITE_BRANCH"),
      pr: pr && pr !== "false" ? pr : undefined,
      commitSha: v("BUILDKITE_COMMIT"),
    });
  }
  if (v("CIRCLECI") === "true") {
    const owner = v("CIRCLE_PROJECT_USERNAME");
    const name = v("CIRCLE_PROJECT_REPONAME");
    return clean({
      provider: "circleci",
      repo: owner && name ? `${owner}/${name}` : undefined,
      branch: v("CIRCLE_BRANCH"),
      pr: /\/pull\/(\d+)/.exec(v("CIRCLE_PULL_REQUEST") ?? "")?.[1],
      commitSha: v("CIRCLE_SHA1"),
    });
  }
  return {};
}

/** `git@github.com:acme/app.git` or `https://github.com/acme/app.git` → `acme/app`. */
export function repoFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const m = /[:/]([^/:]+\/[^/]+?)(?:\.git)?\/?$/.exec(url);
  return m?.[1];
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
}
