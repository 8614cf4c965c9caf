using System.Net;
using System.Text.Json.Nodes;
using SecretsBroker.IntegrationTests.Http;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.OpenApi;

/// <summary>The OpenAPI document as a caller gets it: from a real broker, without a token.</summary>
internal static class PublishedDocument
{
    public const string Path = "/openapi/v1.json";

    public static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    public static async Task<(string Text, JsonObject Document)> FetchAsync(TestBroker broker)
    {
        using var anonymous = broker.Client();
        using var response = await anonymous.GetAsync(Path);
        await response.ShouldBeAsync(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        return (text, JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>Every (METHOD, path) the document describes, paths without a trailing slash.</summary>
    public static SortedSet<string> Operations(JsonObject document)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var method in Methods.Where(m => item!.AsObject().ContainsKey(m)))
            {
                found.Add($"{method.ToUpperInvariant()} {Normalise(path)}");
            }
        }

        return found;
    }

    public static JsonObject Operation(JsonObject document, string method, string path) =>
        document["paths"]!.AsObject()
            .Single(p => Normalise(p.Key) == path).Value![method.ToLowerInvariant()]!.AsObject();

    /// <summary>An entry of <see cref="Operations"/> back into its method and path.</summary>
    public static (string Method, string Path) Split(string operation)
    {
        var space = operation.IndexOf(' ', StringComparison.Ordinal);
        return (operation[..space], operation[(space + 1)..]);
    }

    public static string Normalise(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
