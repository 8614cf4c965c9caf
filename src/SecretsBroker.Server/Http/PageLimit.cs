using System.Globalization;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Server.Http;

/// <summary>The <c>limit</c> of a paged list: one rule for every list the broker answers.</summary>
internal static class PageLimit
{
    public const int Default = 100;
    public const int Max = 1000;

    public static Result<int> Parse(string? limit)
    {
        var size = Default;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > Max))
        {
            return BrokerError.Invalid(ErrorCodes.InvalidQuery, $"'limit' must be a number from 1 to {Max}.");
        }

        return size;
    }
}
