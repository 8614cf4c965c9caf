namespace SecretsBroker.Core.Outcomes;

/// <summary>Either a value or a <see cref="BrokerError"/>: expected outcomes are values, not exceptions.</summary>
public readonly struct Result<T>
{
    private readonly T? value;

    private Result(T? value, BrokerError? error)
    {
        this.value = value;
        Error = error;
    }

    public BrokerError? Error { get; }

    public bool IsSuccess => Error is null;

    public T Value => Error is null ? value! : throw new InvalidOperationException($"Result holds error {Error.Code}, not a value.");

#pragma warning disable CA1000 // Result<T>.Success(v) reads better than any non-generic factory.
    public static Result<T> Success(T value) => new(value, null);

    public static Result<T> Failure(BrokerError error) => new(default, error);
#pragma warning restore CA1000

#pragma warning disable CA2225 // The named factories above are the alternates.
    public static implicit operator Result<T>(T value) => Success(value);

    public static implicit operator Result<T>(BrokerError error) => Failure(error);
#pragma warning restore CA2225
}
