using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SecretsBroker.Server.Http;

/// <summary>JSON settings for answers and for request bodies, which must match their contract exactly.</summary>
public static class BrokerJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    /// <summary>
    /// Request bodies: unknown members are an error, nullable annotations are respected, and a number
    /// is a JSON number (the web defaults would read "60" as 60, so a wrong type would pass). Which fields
    /// must be present is <see cref="JsonBody{T}"/>'s to check: a nullable constructor parameter
    /// (e.g. <c>ttlSeconds</c>) is optional, which RespectRequiredConstructorParameters would deny.
    /// </summary>
    public static JsonSerializerOptions Strict { get; } = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        NumberHandling = JsonNumberHandling.Strict,

        // JsonBody refuses duplicates first, naming the field; this keeps any other reader of these options as strict.
        AllowDuplicateProperties = false,
        MaxDepth = 16,
    };
}
