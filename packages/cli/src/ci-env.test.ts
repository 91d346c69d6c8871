import { describe, expect, it } from "vitest";
import { contextFromCiEnv } from "./ci-env.js";

describe("contextFromCiEnv: forge and CI run links", () => {
  it("GitHub Actions (Enterprise server too): forge from GITHUB_SERVER_URL, run from the run id", () => {
    const ctx = contextFromCiEnv({
      GITHUB_ACTIONS: "true",
      GITHUB_SERVER_URL: "https://github.acme.corp",
      GITHUB_REPOSITORY: "acme/web",
      GITHUB_RUN_ID: "12",
      GITHUB_REF: "refs/pull/3/merge",
    });
    expect(ctx).toMatchObject({
      provider: "github",
      repo: "acme/web",
      pr: "3",
      forge: { kind: "github", url: "https://github.acme.corp" },
      runUrl: "https://github.acme.corp/acme/web/actions/runs/12",
    });
  });

  it("Buildkite and CircleCI: forge from the repository URL, run from their build URL", () => {
    expect(
      contextFromCiEnv({
        BUILDKITE: "true",
        BUILDKITE_REPO: "git@github.com:acme/app.git",
        BUILDKITE_BUILD_URL: "https://buildkite.com/acme/app/builds/9",
        BUILDKITE_PULL_REQUEST: "false",
      }),
    ).toEqual({
      provider: "buildkite",
      repo: "acme/app",
      forge: { kind: "github", url: "https://github.com" },
      runUrl: "https://buildkite.com/acme/app/builds/9",
    });
    expect(
      contextFromCiEnv({
        CIRCLECI: "true",
        CIRCLE_PROJECT_USERNAME: "acme",
        CIRCLE_PROJECT_REPONAME: "app",
        CIRCLE_REPOSITORY_URL: "git@bitbucket.org:acme/app.git",
        CIRCLE_BUILD_URL: "https://circleci.com/gh/acme/app/77",
      }),
    ).toEqual({
      provider: "circleci",
      repo: "acme/app",
      forge: { kind: "bitbucket", url: "https://bitbucket.org" },
      runUrl: "https://circleci.com/gh/acme/app/77",
    });
  });

  it("Bitbucket Pipelines: repo, PR, commit and the pipeline result", () => {
    expect(
      contextFromCiEnv({
        BITBUCKET_BUILD_NUMBER: "41",
        BITBUCKET_REPO_FULL_NAME: "team/app",
        BITBUCKET_PR_ID: "5",
        BITBUCKET_COMMIT: "abc1234",
        BITBUCKET_BRANCH: "dev",
        BITBUCKET_GIT_HTTP_ORIGIN: "http://bitbucket.org/team/app",
      }),
    ).toEqual({
      provider: "bitbucket",
      repo: "team/app",
      branch: "dev",
      pr: "5",
      commitSha: "abc1234",
      forge: { kind: "bitbucket", url: "https://bitbucket.org" },
      runUrl: "https://bitbucket.org/team/app/pipelines/results/41",
    });
  });

  it("only http(s) run URLs; a forge URL with credentials or a query is not used", () => {
    const gl = contextFromCiEnv({
      GITLAB_CI: "true",
      CI_PROJECT_PATH: "g/app",
      CI_JOB_URL: "javascript:alert(1)",
      CI_SERVER_URL: "https://user:pw@gitlab.example.com",
    });
    expect(gl.runUrl).toBeUndefined();
    expect(gl.forge).toBeUndefined();
    expect(contextFromCiEnv({ BUILDKITE: "true", BUILDKITE_BUILD_URL: "https://x/|<!here>" }).runUrl).toBeUndefined();
  });
});
