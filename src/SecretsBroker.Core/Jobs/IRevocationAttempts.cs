namespace SecretsBroker.Core.Jobs;

/// <summary>
/// Told of every attempt to remove a lease's downstream credential, so the server can count the
/// clean-ups that fail and the retries they cause; Core itself keeps no figures.
/// </summary>
public interface IRevocationAttempts
{
    /// <param name="provider">The lease's provider.</param>
    /// <param name="retry">Whether earlier attempts on this lease had failed.</param>
    /// <param name="revoked">Whether this attempt removed the credential.</param>
    void Attempted(string provider, bool retry, bool revoked);

    /// <summary>Counts nothing: for a revoker nobody watches (tools, tests).</summary>
    public static IRevocationAttempts None { get; } = new NoFigures();

    private sealed class NoFigures : IRevocationAttempts
    {
        public void Attempted(string provider, bool retry, bool revoked)
        {
        }
    }
}
