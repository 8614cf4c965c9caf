using SecretsBroker.Contracts.Secrets;
using SecretsBroker.Core.Secrets;
using SecretsBroker.Server.Http;
using SecretsBroker.Server.OpenApi;

namespace SecretsBroker.Server.Secrets;

/// <summary><c>/v1/secrets</c>: root secrets for admins. Values go in and never come out.</summary>
internal static class SecretEndpoints
{
    internal static RouteGroupBuilder MapSecretEndpoints(this RouteGroupBuilder secrets)
    {
        secrets.MapPut("/{name}", (string name, JsonBody<PutSecretRequest> body, SecretVault vault, HttpContext http, CancellationToken ct) =>
            vault.PutAsync(name, body.Value.Type, body.Value.Fields, TtlSeconds.ToDuration(body.Value.RotateEverySeconds), RequestAudit.ContextOf(http), ct)
                .ToHttp(put => put.Created ? Results.Created($"{Contracts.Routes.Secrets}/{name}", put.Secret.ToContract()) : Results.Ok(put.Secret.ToContract())))
            .WithName("PutSecret").WithSummary("Create a root secret or store a new version of it")
            .DescribesBody<PutSecretRequest>()
            .Produces<SecretMetadata>().Produces<SecretMetadata>(StatusCodes.Status201Created);

        secrets.MapGet("/", async (SecretVault vault, CancellationToken ct) =>
            Results.Ok(new SecretList((await vault.ListAsync(ct)).Select(s => s.ToContract()).ToList())))
            .WithName("ListSecrets").WithSummary("List root secrets, never their values")
            .Produces<SecretList>();

        secrets.MapGet("/{name}", (string name, SecretVault vault, CancellationToken ct) =>
            vault.GetAsync(name, ct).ToHttp(secret => Results.Ok(secret.ToContract())))
            .WithName("GetSecret").WithSummary("Read a root secret's metadata and versions, never its value")
            .Produces<SecretMetadata>();

        secrets.MapPost("/{name}/rotate", (string name, SecretRotation rotation, HttpContext http, CancellationToken ct) =>
            rotation.RotateAsync(name, RequestAudit.ContextOf(http), ct).ToHttp(secret => Results.Ok(secret.ToContract())))
            .WithName("RotateSecret").WithSummary("Rotate a root secret's credential at its target")
            .Produces<SecretMetadata>();

        secrets.MapDelete("/{name}", (string name, SecretVault vault, HttpContext http, CancellationToken ct) =>
            vault.DeleteAsync(name, RequestAudit.ContextOf(http), ct).ToHttp(_ => Results.NoContent()))
            .WithName("DeleteSecret").WithSummary("Delete a root secret with all its versions")
            .Produces(StatusCodes.Status204NoContent);

        return secrets;
    }

    private static SecretMetadata ToContract(this RootSecret secret) => new(
        secret.Name,
        secret.Type,
        secret.Version,
        secret.FieldNames,
        secret.CreatedAt.ToDateTimeOffset(),
        secret.UpdatedAt.ToDateTimeOffset(),
        secret.Versions.Select(v => new SecretVersionInfo(v.Version, v.CreatedAt.ToDateTimeOffset(), v.CreatedBy)).ToList(),
        secret.RotateEvery is { } every ? (long)every.TotalSeconds : null);
}
