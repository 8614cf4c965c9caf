using SecretsBroker.Server.Http;

namespace SecretsBroker.Server.OpenApi;

/// <summary>
/// What an endpoint's request body looks like, for the OpenAPI document only: <see cref="RequestBodies"/>
/// turns it into the operation's <c>requestBody</c>. It adds no content-type filter, unlike <c>Accepts</c>,
/// so a body sent with the wrong type still reaches the broker's own reader and gets its audited 415 problem.
/// </summary>
/// <param name="ContentType">The one media type the endpoint reads.</param>
/// <param name="Type">The contract it binds to; null for a body the broker does not bind to a contract of its own.</param>
/// <param name="Description">What the body is, for a body without a contract.</param>
/// <param name="Fields">The named fields of a form, each with what it holds.</param>
/// <param name="Required">The contract's fields the reader refuses a body without.</param>
internal sealed record DescribedBody(
    string ContentType, Type? Type, string? Description = null, IReadOnlyList<DescribedField>? Fields = null, IReadOnlyList<string>? Required = null);

/// <summary>One field of a described form.</summary>
internal sealed record DescribedField(string Name, string Description, bool Required);

/// <summary>Declares an endpoint's request body for the document.</summary>
internal static class DescribedBodies
{
    internal const string Json = "application/json";

    /// <summary>An <c>application/json</c> body of the contract <typeparamref name="T"/>, as <see cref="JsonBody{T}"/> reads it.</summary>
    internal static RouteHandlerBuilder DescribesBody<T>(this RouteHandlerBuilder endpoint)
        where T : class =>
        endpoint.WithMetadata(new DescribedBody(Json, typeof(T), Required: JsonBody<T>.RequiredFields));

    /// <summary>An <c>application/json</c> object the broker reads for a few fields, e.g. a CI platform's webhook payload.</summary>
    internal static RouteHandlerBuilder DescribesJsonObject(this RouteHandlerBuilder endpoint, string description) =>
        endpoint.WithMetadata(new DescribedBody(Json, null, description));

    /// <summary>A form body of string fields.</summary>
    internal static RouteHandlerBuilder DescribesForm(this RouteHandlerBuilder endpoint, string contentType, params DescribedField[] fields) =>
        endpoint.WithMetadata(new DescribedBody(contentType, null, Fields: fields));
}
