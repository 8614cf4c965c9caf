namespace SecretsBroker.Contracts.Errors;

/// <summary>An <c>application/problem+json</c> answer. Clients branch on <see cref="Code"/>, never on text.</summary>
public sealed record ProblemResponse(string Type, string Title, int Status, string? Detail, string Code, string? TraceId);
