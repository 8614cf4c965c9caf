using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Server.Http;

/// <summary>Turns a domain result into an HTTP answer: the value through <paramref name="ok"/>, an error as problem+json.</summary>
public static class ResultHttp
{
    public static IResult ToHttp<T>(this Result<T> result, Func<T, IResult> ok)
    {
        ArgumentNullException.ThrowIfNull(ok);
        return result.IsSuccess ? ok(result.Value) : new BrokerProblem(result.Error!);
    }

    public static async Task<IResult> ToHttp<T>(this Task<Result<T>> result, Func<T, IResult> ok)
    {
        ArgumentNullException.ThrowIfNull(result);
        return (await result).ToHttp(ok);
    }
}
