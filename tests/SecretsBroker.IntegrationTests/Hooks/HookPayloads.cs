// The bodies CI platforms send to the completion webhooks, trimmed to a realistic subset of their
// fields with the real names and nesting, and the run, job and project of each test put in:
// - WorkflowRun, WorkflowJob, Ping: GitHub Docs, "Webhook events and payloads", sections workflow_run,
//   workflow_job and ping (docs.github.com/en/webhooks/webhook-events-and-payloads), whose example
//   payloads are octokit/webhooks' payload-examples/api.github.com/{workflow_run,workflow_job}.
// - GitLabPipeline, GitLabJob: GitLab Docs, "Webhook events", sections "Pipeline events" and "Job events"
//   (docs.gitlab.com/user/project/integrations/webhook_events).
namespace SecretsBroker.IntegrationTests.Hooks;

/// <summary>GitHub's and GitLab's run and job event bodies, as those platforms document them.</summary>
internal static class HookPayloads
{
    /// <summary>
    /// A <c>workflow_run</c> event of run <paramref name="run"/> in <paramref name="repository"/>
    /// (<c>owner/name</c>). <paramref name="action"/> is <c>requested</c>, <c>in_progress</c> or
    /// <c>completed</c>; only a completed run has a <paramref name="conclusion"/>.
    /// </summary>
    public static string WorkflowRun(string repository, string run, string action = "completed", string conclusion = "failure", int attempt = 1, string title = "Deploy to production")
    {
        var (owner, name) = Split(repository);
        var finished = action == "completed";
        return $$"""
            {
              "action": "{{action}}",
              "workflow_run": {
                "id": {{run}},
                "name": "deploy",
                "node_id": "WFR_kwLOEXAMPLE{{run}}",
                "head_branch": "main",
                "head_sha": "2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
                "path": ".github/workflows/deploy.yml",
                "display_title": "{{title}}",
                "run_number": 17,
                "run_attempt": {{attempt}},
                "event": "push",
                "status": "{{action}}",
                "conclusion": {{(finished ? $"\"{conclusion}\"" : "null")}},
                "workflow_id": 2823525,
                "check_suite_id": 1291536064,
                "check_suite_node_id": "CS_kwDOEXAMPLE1291536064",
                "url": "https://api.github.com/repos/{{repository}}/actions/runs/{{run}}",
                "html_url": "https://github.com/{{repository}}/actions/runs/{{run}}",
                "jobs_url": "https://api.github.com/repos/{{repository}}/actions/runs/{{run}}/jobs",
                "logs_url": "https://api.github.com/repos/{{repository}}/actions/runs/{{run}}/logs",
                "cancel_url": "https://api.github.com/repos/{{repository}}/actions/runs/{{run}}/cancel",
                "pull_requests": [],
                "created_at": "2026-11-01T08:52:10Z",
                "updated_at": "2026-11-01T09:00:00Z",
                "run_started_at": "2026-11-01T08:52:10Z",
                "actor": { "login": "octocat", "id": 583231, "type": "User", "site_admin": false },
                "triggering_actor": { "login": "octocat", "id": 583231, "type": "User", "site_admin": false },
                "head_commit": {
                  "id": "2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
                  "tree_id": "c30f6c3377009c4c91c85d1f15deb6f2b7c2eb37",
                  "message": "Release the new checkout flow",
                  "timestamp": "2026-11-01T08:51:57Z",
                  "author": { "name": "Mona Lisa", "email": "mona@example.test" },
                  "committer": { "name": "GitHub", "email": "noreply@github.com" }
                },
                "repository": { "id": 300029405, "name": "{{name}}", "full_name": "{{repository}}", "private": true },
                "head_repository": { "id": 300029405, "name": "{{name}}", "full_name": "{{repository}}", "private": true }
              },
              "workflow": {
                "id": 2823525,
                "node_id": "W_kwDOEXAMPLE2823525",
                "name": "deploy",
                "path": ".github/workflows/deploy.yml",
                "state": "active",
                "created_at": "2026-01-12T10:02:33.000Z",
                "updated_at": "2026-10-30T16:24:48.000Z",
                "url": "https://api.github.com/repos/{{repository}}/actions/workflows/2823525",
                "html_url": "https://github.com/{{repository}}/blob/main/.github/workflows/deploy.yml",
                "badge_url": "https://github.com/{{repository}}/workflows/deploy/badge.svg"
              },
            {{RepositoryAndSender(owner, name, repository)}}
            }
            """;
    }

    /// <summary>
    /// A <c>workflow_job</c> event of job <paramref name="job"/> (its check run, the same number on
    /// GitHub) in run <paramref name="run"/>. <paramref name="action"/> is <c>queued</c>,
    /// <c>in_progress</c>, <c>waiting</c> or <c>completed</c>.
    /// </summary>
    public static string WorkflowJob(string repository, string run, string job, string action = "completed", string conclusion = "cancelled")
    {
        var (owner, name) = Split(repository);
        var finished = action == "completed";
        return $$"""
            {
              "action": "{{action}}",
              "workflow_job": {
                "id": {{job}},
                "run_id": {{run}},
                "workflow_name": "deploy",
                "head_branch": "main",
                "run_url": "https://api.github.com/repos/{{repository}}/actions/runs/{{run}}",
                "run_attempt": 1,
                "node_id": "CR_kwDOEXAMPLE{{job}}",
                "head_sha": "2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
                "url": "https://api.github.com/repos/{{repository}}/actions/jobs/{{job}}",
                "html_url": "https://github.com/{{repository}}/actions/runs/{{run}}/job/{{job}}",
                "status": "{{action}}",
                "conclusion": {{(finished ? $"\"{conclusion}\"" : "null")}},
                "created_at": "2026-11-01T08:52:12Z",
                "started_at": "2026-11-01T08:52:20Z",
                "completed_at": {{(finished ? "\"2026-11-01T09:00:00Z\"" : "null")}},
                "name": "migrate",
                "steps": [
                  { "name": "Set up job", "status": "completed", "conclusion": "success", "number": 1, "started_at": "2026-11-01T08:52:20Z", "completed_at": "2026-11-01T08:52:22Z" },
                  { "name": "Lease database credentials", "status": "completed", "conclusion": "success", "number": 2, "started_at": "2026-11-01T08:52:22Z", "completed_at": "2026-11-01T08:52:23Z" },
                  { "name": "Run migrations", "status": "completed", "conclusion": "{{(finished ? conclusion : "success")}}", "number": 3, "started_at": "2026-11-01T08:52:23Z", "completed_at": "2026-11-01T09:00:00Z" }
                ],
                "check_run_url": "https://api.github.com/repos/{{repository}}/check-runs/{{job}}",
                "labels": ["self-hosted", "linux"],
                "runner_id": 5,
                "runner_name": "build-runner-5",
                "runner_group_id": 2,
                "runner_group_name": "Default"
              },
            {{RepositoryAndSender(owner, name, repository)}}
            }
            """;
    }

    /// <summary>GitHub's <c>ping</c>, sent once when the webhook is created.</summary>
    public static string Ping(string repository)
    {
        var (owner, name) = Split(repository);
        return $$"""
            {
              "zen": "Design for failure.",
              "hook_id": 412345678,
              "hook": {
                "type": "Repository",
                "id": 412345678,
                "name": "web",
                "active": true,
                "events": ["workflow_job", "workflow_run"],
                "config": { "content_type": "json", "insecure_ssl": "0", "url": "https://secretsbroker.example.test/v1/hooks/github" },
                "updated_at": "2026-11-01T08:30:00Z",
                "created_at": "2026-11-01T08:30:00Z",
                "url": "https://api.github.com/repos/{{repository}}/hooks/412345678",
                "ping_url": "https://api.github.com/repos/{{repository}}/hooks/412345678/pings",
                "deliveries_url": "https://api.github.com/repos/{{repository}}/hooks/412345678/deliveries"
              },
            {{RepositoryAndSender(owner, name, repository)}}
            }
            """;
    }

    /// <summary>
    /// A pipeline event of pipeline <paramref name="pipeline"/> in <paramref name="project"/>
    /// (<c>group/project</c>). <paramref name="status"/> is final (<c>success</c>, <c>failed</c>,
    /// <c>canceled</c>, <c>skipped</c>) or not (<c>created</c>, <c>pending</c>, <c>running</c>, …).
    /// </summary>
    public static string GitLabPipeline(string project, string pipeline, string status = "failed", int duration = 463)
    {
        var (group, name) = Split(project);
        var finished = status is "success" or "failed" or "canceled" or "skipped";
        return $$"""
            {
              "object_kind": "pipeline",
              "object_attributes": {
                "id": {{pipeline}},
                "iid": 17,
                "name": "Pipeline for branch: main",
                "ref": "main",
                "tag": false,
                "sha": "2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
                "before_sha": "95790bf891e76fee5e1747ab589903a6a1f80f22",
                "source": "push",
                "status": "{{status}}",
                "detailed_status": "{{status}}",
                "stages": ["migrate", "deploy"],
                "created_at": "2026-11-01 08:52:10 UTC",
                "finished_at": {{(finished ? "\"2026-11-01 09:00:00 UTC\"" : "null")}},
                "duration": {{(finished ? duration.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}},
                "queued_duration": 4,
                "variables": [],
                "url": "https://gitlab.example.test/{{project}}/-/pipelines/{{pipeline}}"
              },
              "merge_request": null,
              "user": {
                "id": 4,
                "name": "CI Bot",
                "username": "ci-bot",
                "avatar_url": "https://gitlab.example.test/uploads/-/system/user/avatar/4/avatar.png",
                "email": "[REDACTED]"
              },
            {{GitLabProject(group, name, project)}},
              "commit": {
                "id": "2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
                "message": "Release the new checkout flow\n",
                "title": "Release the new checkout flow",
                "timestamp": "2026-11-01T08:51:57+00:00",
                "url": "https://gitlab.example.test/{{project}}/-/commit/2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
                "author": { "name": "Mona Lisa", "email": "mona@example.test" }
              },
              "builds": [
                {
                  "id": 9100,
                  "stage": "migrate",
                  "name": "migrate",
                  "status": "{{(finished ? status : "running")}}",
                  "created_at": "2026-11-01 08:52:10 UTC",
                  "started_at": "2026-11-01 08:52:20 UTC",
                  "finished_at": {{(finished ? "\"2026-11-01 09:00:00 UTC\"" : "null")}},
                  "duration": {{(finished ? "460.2" : "null")}},
                  "queued_duration": 4.1,
                  "failure_reason": {{(status == "failed" ? "\"script_failure\"" : "null")}},
                  "when": "on_success",
                  "manual": false,
                  "allow_failure": false,
                  "user": { "id": 4, "name": "CI Bot", "username": "ci-bot", "avatar_url": null, "email": "[REDACTED]" },
                  "runner": { "id": 380987, "description": "build-runner-5", "runner_type": "project_type", "active": true, "is_shared": false, "tags": ["linux"] },
                  "artifacts_file": { "filename": null, "size": null },
                  "environment": { "name": "production", "action": "start", "deployment_tier": "production" }
                }
              ]
            }
            """;
    }

    /// <summary>A job event of job <paramref name="job"/> in pipeline <paramref name="pipeline"/>; <paramref name="status"/> as for a pipeline.</summary>
    public static string GitLabJob(string project, string pipeline, string job, string status = "failed")
    {
        var (group, name) = Split(project);
        var finished = status is "success" or "failed" or "canceled" or "skipped";
        return $$"""
            {
              "object_kind": "build",
              "ref": "main",
              "tag": false,
              "before_sha": "95790bf891e76fee5e1747ab589903a6a1f80f22",
              "sha": "2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
              "build_id": {{job}},
              "build_name": "migrate",
              "build_stage": "migrate",
              "build_status": "{{status}}",
              "build_created_at": "2026-11-01T08:52:10.886Z",
              "build_created_at_iso": "2026-11-01T08:52:10Z",
              "build_started_at": "2026-11-01T08:52:20.104Z",
              "build_started_at_iso": "2026-11-01T08:52:20Z",
              "build_finished_at": {{(finished ? "\"2026-11-01T09:00:00.000Z\"" : "null")}},
              "build_finished_at_iso": {{(finished ? "\"2026-11-01T09:00:00Z\"" : "null")}},
              "build_duration": {{(finished ? "459.896" : "null")}},
              "build_queued_duration": 4.1,
              "build_allow_failure": false,
              "build_failure_reason": "{{(status == "failed" ? "script_failure" : "unknown_failure")}}",
              "retries_count": 0,
              "pipeline_id": {{pipeline}},
              "project_id": 380,
              "project_name": "{{group}} / {{name}}",
              "user": { "id": 4, "name": "CI Bot", "email": "[REDACTED]", "avatar_url": null },
              "commit": {
                "id": {{pipeline}},
                "name": null,
                "sha": "2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
                "message": "Release the new checkout flow\n",
                "author_name": "Mona Lisa",
                "author_email": "mona@example.test",
                "author_url": "mailto:mona@example.test",
                "status": "running",
                "duration": null,
                "started_at": "2026-11-01 08:52:20 UTC",
                "started_at_iso": "2026-11-01T08:52:20Z",
                "finished_at": null,
                "finished_at_iso": null
              },
              "repository": {
                "name": "{{name}}",
                "url": "git@gitlab.example.test:{{project}}.git",
                "description": "",
                "homepage": "https://gitlab.example.test/{{project}}",
                "git_http_url": "https://gitlab.example.test/{{project}}.git",
                "git_ssh_url": "git@gitlab.example.test:{{project}}.git",
                "visibility_level": 0
              },
            {{GitLabProject(group, name, project)}},
              "runner": { "active": true, "runner_type": "project_type", "is_shared": false, "id": 380987, "description": "build-runner-5", "tags": ["linux"] },
              "environment": { "name": "production", "action": "start", "deployment_tier": "production" }
            }
            """;
    }

    private static (string Owner, string Name) Split(string path)
    {
        var at = path.LastIndexOf('/');
        return (path[..at], path[(at + 1)..]);
    }

    private static string RepositoryAndSender(string owner, string name, string repository) => $$"""
          "repository": {
            "id": 300029405,
            "node_id": "R_kgDOEXAMPLE",
            "name": "{{name}}",
            "full_name": "{{repository}}",
            "private": true,
            "owner": { "login": "{{owner}}", "id": 41548062, "node_id": "O_kgDOEXAMPLE", "type": "Organization", "site_admin": false },
            "html_url": "https://github.com/{{repository}}",
            "url": "https://api.github.com/repos/{{repository}}",
            "visibility": "private",
            "default_branch": "main"
          },
          "organization": { "login": "{{owner}}", "id": 41548062, "node_id": "O_kgDOEXAMPLE", "url": "https://api.github.com/orgs/{{owner}}", "description": "" },
          "sender": { "login": "octocat", "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==", "type": "User", "site_admin": false }
        """;

    private static string GitLabProject(string group, string name, string project) => $$"""
          "project": {
            "id": 380,
            "name": "{{name}}",
            "description": "",
            "web_url": "https://gitlab.example.test/{{project}}",
            "avatar_url": null,
            "git_ssh_url": "git@gitlab.example.test:{{project}}.git",
            "git_http_url": "https://gitlab.example.test/{{project}}.git",
            "namespace": "{{group}}",
            "visibility_level": 0,
            "path_with_namespace": "{{project}}",
            "default_branch": "main",
            "ci_config_path": null
          }
        """;
}
