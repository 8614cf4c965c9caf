using NpgsqlTypes;

namespace SecretsBroker.Storage.Migration;

/// <summary>A column copied as it is, read from the embedded store and written in the target's type.</summary>
internal sealed record CopiedColumn(string Name, NpgsqlDbType Type);

/// <summary>
/// One table the move copies, with the columns both stores have, and its identity column (if any) whose
/// sequence must go past the copied values.
/// </summary>
internal sealed record CopiedTable(string Name, IReadOnlyList<CopiedColumn> Columns, string? IdentityColumn);
