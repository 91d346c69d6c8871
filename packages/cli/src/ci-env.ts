import { type ScanContext } from "@socket-notify/core";
import { forgeAt, forgeFromRepoUrl, isSafeUrl } from "@socket-notify/core/internal";

/**
 * Where the scan ran, from the CI system's own variables, so `repos` filters and message
 * headers work when the Socket report leaves repo or branch out. Only fills what the report
 * does not say; `--repo` and friends override both.
 *
 * Also the forge that hosts the repository (so messages link the repository, PR and commit) and
 * the CI run's URL. These come from the job's environment, which a pull request cannot change;
 * only http(s) URLs are kept.
 */
export function contextFromCiEnv(env: Record<string, string | undefined>): ScanContext & { provider?: string } {
  const v = (k: string) => {
    const x = env[k];
    return x === undefined || x === "" ? undefined : x;
  };
  const url = (x: string | undefined) => (isSafeUrl(x) ? x : undefined);
  if (v("GITHUB_ACTIONS") === "true") {
    const ref = v("GITHUB_REF") ?? "";
    const pr = /^refs\/pull\/(\d+)\//.exec(ref)?.[1];
    const forge = forgeAt("github", v("GITHUB_SERVER_URL") ?? "https://github.com");
    const repo = v("GITHUB_REPOSITORY");
    const runId = v("GITHUB_RUN_ID");
    const runUrl =
      forge && repo && runId && /^\d+$/.test(runId)
        ? url(`${forge.url}/${repo.split("/").map(encodeURIComponent).join("/")}/actions/runs/${runId}`)
        : undefined;
    return clean({
      provider: "github",
      repo,
      branch: v("GITHUB_HEAD_REF") ?? v("GITHUB_REF_NAME"),
      pr,
      commitSha: v("GITHUB_SHA"),
      forge,
      runUrl,
    });
  }
  if (v("GITLAB_CI") === "true") {
    return clean({
      provider: "gitlab",
      repo: v("CI_PROJECT_PATH"),
      branch: v("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") ?? v("CI_COMMIT_REF_NAME"),
      pr: v("CI_MERGE_REQUEST_IID"),
      commitSha: v("CI_COMMIT_SHA"),
      forge: forgeAt("gitlab", v("CI_SERVER_URL") ?? "https://gitlab.com"),
      runUrl: url(v("CI_JOB_URL")),
    });
  }
  if (v("BITBUCKET_BUILD_NUMBER") !== undefined && v("BITBUCKET_REPO_FULL_NAME") !== undefined) {
    const repo = v("BITBUCKET_REPO_FULL_NAME");
    const forge = forgeFromRepoUrl(v("BITBUCKET_GIT_HTTP_ORIGIN"))?.forge ?? {
      kind: "bitbucket",
      url: "https://bitbucket.org",
    };
    const build = v("BITBUCKET_BUILD_NUMBER")!;
    return clean({
      provider: "bitbucket",
      repo,
      branch: v("BITBUCKET_BRANCH"),
      pr: v("BITBUCKET_PR_ID"),
      commitSha: v("BITBUCKET_COMMIT"),
      forge,
      runUrl:
        repo && /^\d+$/.test(build)
          ? url(`${forge.url}/${repo.split("/").map(encodeURIComponent).join("/")}/pipelines/results/${build}`)
          : undefined,
    });
  }
  if (v("BUILDKITE") === "true") {
    const pr = v("BUILDKITE_PULL_REQUEST");
    const fromUrl = forgeFromRepoUrl(v("BUILDKITE_REPO"));
    return clean({
      provider: "buildkite",
      repo: repoFromUrl(v("BUILDKITE_REPO")),
      branch: v("BUILDKITE_BRANCH"),
      pr: pr && pr !== "false" ? pr : undefined,
      commitSha: v("BUILDKITE_COMMIT"),
      forge: fromUrl?.forge,
      runUrl: url(v("BUILDKITE_BUILD_URL")),
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
      forge: forgeFromRepoUrl(v("CIRCLE_REPOSITORY_URL"))?.forge,
      runUrl: url(v("CIRCLE_BUILD_URL")),
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
