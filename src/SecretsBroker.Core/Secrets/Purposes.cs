namespace SecretsBroker.Core.Secrets;

/// <summary>
/// Data Protection purpose strings. A protected value is bound to its row by chaining the row's
/// identity after the purpose, so ciphertext copied onto another row will not decrypt.
/// </summary>
public static class Purposes
{
    public const string RootSecret = "SecretsBroker.RootSecret.v1";

    /// <summary>A lease's credential, kept (chained with the lease id) only so a retried request gets the same one.</summary>
    public const string LeaseCredential = "SecretsBroker.LeaseCredential.v1";
}
