using Microsoft.Extensions.Configuration.Json;

namespace SecretsBroker.Server.Hosting;

/// <summary>
/// An operator's settings file anywhere on the machine, named by <c>SECRETSBROKER_CONFIG</c> (an
/// environment variable, or <c>--SECRETSBROKER_CONFIG=FILE</c>): what <c>./scripts/start.sh</c> and an
/// installed broker alike can be given, without copying it beside the binary.
/// </summary>
internal static class BrokerConfigFile
{
    public const string Variable = "SECRETSBROKER_CONFIG";

    /// <summary>
    /// Adds the file above the <c>appsettings</c> files beside the binary and below environment
    /// variables and the command line, which still win over it. A named file that is missing stops the
    /// broker at start, naming it: a broker must not start on defaults its operator did not mean.
    /// </summary>
    public static void AddTo(ConfigurationManager configuration)
    {
        if (configuration[Variable] is not { Length: > 0 } named)
        {
            return;
        }

        var path = Path.GetFullPath(named);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{Variable} names the settings file {path}, which does not exist.");
        }

        var file = new JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
        file.ResolveFileProvider();
        configuration.Sources.Insert(AfterSettingsFiles(configuration.Sources), file);
    }

    private static int AfterSettingsFiles(IList<IConfigurationSource> sources)
    {
        var after = 0;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is FileConfigurationSource)
            {
                after = i + 1;
            }
        }

        return after;
    }
}
