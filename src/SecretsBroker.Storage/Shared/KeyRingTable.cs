using System.Data;
using System.Xml.Linq;
using Dapper;

namespace SecretsBroker.Storage.Shared;

/// <summary>The Data Protection key ring's table, read and written the same on either dialect's connection.</summary>
internal static class KeyRingTable
{
    private static class Sql
    {
        public const string All = "SELECT xml FROM data_protection_key ORDER BY friendly_name";

        // Data Protection names a key after its id, so a second row under one name is the same key stored
        // again (two nodes storing it at once): the first one stays.
        public const string Insert = "INSERT INTO data_protection_key (friendly_name, xml) VALUES (@FriendlyName, @Xml) ON CONFLICT (friendly_name) DO NOTHING";
    }

    public static IReadOnlyCollection<XElement> AllElements(IDbConnection c) =>
        c.Query<string>(Sql.All).Select(x => XElement.Parse(x)).ToList();

    public static void Store(IDbConnection c, XElement element, string friendlyName) =>
        c.Execute(Sql.Insert, new { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
}
