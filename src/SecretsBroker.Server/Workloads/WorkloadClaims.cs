using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace SecretsBroker.Server.Workloads;

/// <summary>
/// The payload's scalar claims as strings: strings as they are, numbers as written, booleans as
/// <c>true</c>/<c>false</c>. Arrays, objects and nulls are left out: policy matches on single values.
/// </summary>
internal static class WorkloadClaims
{
    /// <summary>The claims, or null when the payload is not one JSON object with distinct names (a
    /// repeated claim could be read one way here and another way by the signature library).</summary>
    public static Dictionary<string, string>? Read(string encodedPayload)
    {
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedPayload));
            if (payload.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            var claims = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var claim in payload.RootElement.EnumerateObject())
            {
                if (!names.Add(claim.Name))
                {
                    return null;
                }

                var value = claim.Value.ValueKind switch
                {
                    JsonValueKind.String => claim.Value.GetString(),
                    JsonValueKind.Number => claim.Value.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => null,
                };
                if (value is not null)
                {
                    claims[claim.Name] = value;
                }
            }

            return claims;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }
}
