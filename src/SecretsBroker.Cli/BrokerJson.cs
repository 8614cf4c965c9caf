using System.Text.Json;

namespace SecretsBroker.Cli;

/// <summary>The JSON settings of the broker's API (ASP.NET Core web defaults: camelCase, ISO-8601 times).</summary>
internal static class BrokerJson
{
    /// <summary>For request and response bodies.</summary>
    public static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web);

    /// <summary>For <c>--json</c> output: the same shape as the wire, indented for people who read it too.</summary>
    public static readonly JsonSerializerOptions Printed = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
