using System.Text.Unicode;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SecretsBroker.Core.Outcomes;
using SecretsBroker.Server.Hosting;

namespace SecretsBroker.Server.Http;

/// <summary>
/// An <c>application/x-www-form-urlencoded</c> body (what RFC 7662 introspection takes), read as
/// strictly as a JSON body: that content type only, size under the limit, UTF-8, at most
/// <see cref="MaxFields"/> fields with keys of at most <see cref="MaxKeyLength"/> characters, and no
/// field given twice (OAuth parameters "MUST NOT be included more than once", RFC 6749 §3.1).
/// </summary>
public sealed class FormBody
{
    public const string ContentType = "application/x-www-form-urlencoded";
    public const int MaxFields = 1024;
    public const int MaxKeyLength = 2048;

    private readonly IReadOnlyDictionary<string, string> values;

    private FormBody(IReadOnlyDictionary<string, string> values, BrokerError? error)
    {
        this.values = values;
        Problem = error;
    }

    /// <summary>Why the body could not be read, or null; the endpoint answers it before using any value.</summary>
    public BrokerError? Problem { get; }

    public string? this[string name] => values.TryGetValue(name, out var value) ? value : null;

    /// <summary>Called by minimal APIs to bind the parameter.</summary>
#pragma warning disable CA1000 // Minimal APIs find BindAsync as a static member of the parameter type.
    public static async ValueTask<FormBody> BindAsync(HttpContext context)
#pragma warning restore CA1000
    {
        ArgumentNullException.ThrowIfNull(context);
        var limit = context.RequestServices.GetRequiredService<IOptions<BrokerOptions>>().Value.MaxRequestBodyBytes;
        var read = await ReadAsync(context, limit);
        return read.IsSuccess
            ? new FormBody(read.Value, null)
            : new FormBody(new Dictionary<string, string>(), read.Error);
    }

    private static async Task<Result<IReadOnlyDictionary<string, string>>> ReadAsync(HttpContext context, int limit)
    {
        if (!IsUtf8Form(context.Request.ContentType))
        {
            return new BrokerError(ErrorCodes.UnsupportedMediaType, $"Send the body as {ContentType} (UTF-8).", ErrorKind.UnsupportedMediaType);
        }

        var read = await BoundedBody.ReadAsync(context, limit);
        if (!read.IsSuccess)
        {
            return read.Error!;
        }

        if (!Utf8.IsValid(read.Value))
        {
            return Malformed("The form is not UTF-8.");
        }

        Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form;
        try
        {
            using var reader = new FormReader(System.Text.Encoding.UTF8.GetString(read.Value))
            {
                ValueCountLimit = MaxFields,
                KeyLengthLimit = MaxKeyLength,
                ValueLengthLimit = limit,
            };
            form = reader.ReadForm();
        }
        catch (InvalidDataException)
        {
            // The reader's message names its limit; ours says the same without quoting the body.
            return Malformed($"The form must have at most {MaxFields} fields, each name at most {MaxKeyLength} characters.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in form)
        {
            if (value.Count != 1)
            {
                return BrokerError.Invalid(ErrorCodes.DuplicateField, $"Field '{Shorten(key)}' is given more than once.");
            }

            values[key] = value[0] ?? "";
        }

        return values;
    }

    private static bool IsUtf8Form(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && type.MediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase)
        && (type.Charset.Length == 0 || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    private static BrokerError Malformed(string message) => BrokerError.Invalid(ErrorCodes.MalformedForm, message);

    private static string Shorten(string name) => name.Length <= 64 ? name : name[..64] + "…";
}
