namespace SecretsBroker.Storage.Migration;

/// <summary>A reason migrate-store stops, worded for the operator; it never carries a login or a secret.</summary>
internal sealed class StoreMoveRefusedException(string message) : Exception(message);
