using SecretsBroker.Cli;
using SecretsBroker.TestSupport;

namespace SecretsBroker.IntegrationTests.Cli;

/// <summary>
/// sbctl as a CI job's shell runs it: in-process against a broker, seeing only the environment variables
/// the test set, so nothing on the machine running the tests (a developer's SECRETSBROKER_TOKEN) leaks in.
/// </summary>
internal sealed class CiJobShell
{
    // The variable names are written out rather than taken from sbctl: they are what CI configurations rely on.
    public const string AddressVariable = "SECRETSBROKER_ADDR";
    public const string OidcTokenVariable = "SECRETSBROKER_OIDC_TOKEN";
    public const string OidcTokenFileVariable = "SECRETSBROKER_OIDC_TOKEN_FILE";
    public const string OperatorTokenVariable = "SECRETSBROKER_TOKEN";

    private readonly Dictionary<string, string> environment = new(StringComparer.Ordinal);

    private CiJobShell(Uri broker) => environment[AddressVariable] = broker.ToString().TrimEnd('/');

    /// <summary>A job whose environment names the broker and holds no token yet.</summary>
    public static CiJobShell Against(LeasingBroker world) => new(world.Broker.Address);

    /// <summary>A job whose CI platform put <paramref name="oidcToken"/> in SECRETSBROKER_OIDC_TOKEN.</summary>
    public static CiJobShell WithOidcToken(LeasingBroker world, string oidcToken) => Against(world).Set(OidcTokenVariable, oidcToken);

    public CiJobShell Set(string variable, string value)
    {
        environment[variable] = value;
        return this;
    }

    /// <summary>Runs <c>sbctl <paramref name="args"/></c> with empty input and this job's environment.</summary>
    public async Task<SbctlRun> SbctlAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var stdin = new StringReader("");
        var exit = await Sbctl.RunAsync(args, stdout, stderr, stdin, name => environment.GetValueOrDefault(name));
        return new SbctlRun(exit, stdout.ToString(), stderr.ToString());
    }
}
