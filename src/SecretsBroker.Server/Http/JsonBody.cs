using System.Reflection;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Http;

/// <summary>Marks a bound body that may hold an error instead of a value; the broker filter answers for it.</summary>
public interface IJsonBody
{
    BrokerError? Problem { get; }
}

/// <summary>
/// A request body read strictly: JSON content type, size under the limit, well-formed, no field
/// given twice, no unknown fields, required fields present. Each failure has its own stable code,
/// and nothing is half-read into the domain: the endpoint runs only with a complete value.
/// </summary>
public sealed class JsonBody<T> : IJsonBody
    where T : class
{
    private readonly T? value;

    private JsonBody(T? value, BrokerError? error)
    {
        this.value = value;
        Problem = error;
    }

    public BrokerError? Problem { get; }

    public T Value => value ?? throw new InvalidOperationException("The body had an error; the broker filter answers before the endpoint runs.");

    /// <summary>The contract's fields a body must have, as JSON names: what the OpenAPI document lists as required.</summary>
    internal static IReadOnlyList<string> RequiredFields => Shape.Required;

    /// <summary>Called by minimal APIs to bind the parameter.</summary>
#pragma warning disable CA1000 // Minimal APIs find BindAsync as a static member of the parameter type.
    public static async ValueTask<JsonBody<T>> BindAsync(HttpContext context)
#pragma warning restore CA1000
    {
        ArgumentNullException.ThrowIfNull(context);
        var limit = context.RequestServices.GetRequiredService<IOptions<BrokerOptions>>().Value.MaxRequestBodyBytes;
        var read = await ReadAsync(context, limit);
        return read.IsSuccess ? new JsonBody<T>(read.Value, null) : new JsonBody<T>(null, read.Error);
    }

    private static async Task<Result<T>> ReadAsync(HttpContext context, int limit)
    {
        if (!context.Request.HasJsonContentType())
        {
            return new BrokerError(ErrorCodes.UnsupportedMediaType, "Send the body as application/json.", ErrorKind.UnsupportedMediaType);
        }

        var read = await BoundedBody.ReadAsync(context, limit);
        if (!read.IsSuccess)
        {
            return read.Error!;
        }

        var bytes = read.Value;

        // JSON text is UTF-8. The parser checks structure only: a bad byte in a name would throw while
        // reading it (a 500), and one in a value would pass for a wrong type.
        if (!Utf8.IsValid(bytes))
        {
            return MalformedJson();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = BrokerJson.Strict.MaxDepth });
        }
        catch (JsonException)
        {
            return MalformedJson();
        }

        using (document)
        {
            return FindDuplicate(document.RootElement, "$") ?? CheckShape(document.RootElement) ?? Deserialize(document);
        }
    }

    private static Result<T> Deserialize(JsonDocument document)
    {
        try
        {
            return document.Deserialize<T>(BrokerJson.Strict) is { } body
                ? body
                : BrokerError.Invalid(ErrorCodes.InvalidBody, "The body must be a JSON object.");
        }
        catch (JsonException e)
        {
            // The path names the field (e.g. $.fields.port), never its value.
            return BrokerError.Invalid(ErrorCodes.InvalidBody, $"The body does not match the expected shape at {e.Path ?? "$"}.");
        }
    }

    /// <summary>
    /// A name given twice in one object, at any depth (a secret's <c>fields</c> included): parsers
    /// disagree on which one wins, so the broker takes neither. Names compare as binding does, ignoring
    /// case. Depth is bounded by the parser's MaxDepth.
    /// </summary>
    private static BrokerError? FindDuplicate(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                if (FindDuplicate(item, $"{path}[{index++}]") is { } inItem)
                {
                    return inItem;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in element.EnumerateObject())
            {
                var at = $"{path}.{Shorten(property.Name)}";
                if (!seen.Add(property.Name))
                {
                    return BrokerError.Invalid(ErrorCodes.DuplicateField, $"Field '{at}' is given more than once.");
                }

                if (FindDuplicate(property.Value, at) is { } inValue)
                {
                    return inValue;
                }
            }
        }

        return null;
    }

    /// <summary>Unknown and missing top-level fields, checked before binding so each gets its own code.</summary>
    private static BrokerError? CheckShape(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return BrokerError.Invalid(ErrorCodes.InvalidBody, "The body must be a JSON object.");
        }

        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in root.EnumerateObject())
        {
            if (!Shape.Known.Contains(property.Name))
            {
                return BrokerError.Invalid(ErrorCodes.UnknownField, $"Unknown field '{Shorten(property.Name)}'.");
            }

            if (property.Value.ValueKind != JsonValueKind.Null)
            {
                present.Add(property.Name);
            }
        }

        return Shape.Required.FirstOrDefault(r => !present.Contains(r)) is { } missing
            ? BrokerError.Invalid(ErrorCodes.MissingField, $"Field '{missing}' is required.")
            : null;
    }

    private static BrokerError MalformedJson() =>
        BrokerError.Invalid(ErrorCodes.MalformedJson, "The body is not well-formed JSON.");

    private static string Shorten(string name) => name.Length <= 64 ? name : name[..64] + "…";

    /// <summary>The contract's JSON field names, read once per body type.</summary>
    private static class Shape
    {
        public static readonly HashSet<string> Known = new(
            BrokerJson.Strict.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

        public static readonly IReadOnlyList<string> Required = RequiredNames();

        private static List<string> RequiredNames()
        {
            var nullability = new NullabilityInfoContext();
            var constructor = typeof(T).GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            return constructor.GetParameters()
                .Where(p => !p.HasDefaultValue && nullability.Create(p).WriteState == NullabilityState.NotNull)
                .Select(p => BrokerJson.Strict.PropertyNamingPolicy!.ConvertName(p.Name!))
                .ToList();
        }
    }
}
