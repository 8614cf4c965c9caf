using System.Data;
using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace SecretsBroker.Storage.KeyRing;

/// <summary>
/// Keeps Data Protection's key ring in the broker's own store, read and written the same on either
/// dialect's connection, so every node over one store reads the keys any node made. Elements arrive
/// here already encrypted by <see cref="MasterKeyXmlEncryptor"/>.
/// </summary>
public sealed class KeyRingRepository(Func<IDbConnection> open) : IXmlRepository
{
    private static class Sql
    {
        public const string All = "SELECT xml FROM data_protection_key ORDER BY friendly_name";

        // Data Protection names a key after its id, so a second row under one name is the same key stored
        // again (two nodes storing it at once): the first one stays.
        public const string Insert = "INSERT INTO data_protection_key (friendly_name, xml) VALUES (@FriendlyName, @Xml) ON CONFLICT (friendly_name) DO NOTHING";
    }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var c = open();
        return c.Query<string>(Sql.All).Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var c = open();
        c.Execute(Sql.Insert, new { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
