using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SecretsBroker.Storage.Postgres;

namespace SecretsBroker.Storage.KeyRing;

/// <summary>
/// Keeps Data Protection's key ring in the shared PostgreSQL store, so every node reads the keys any
/// node wrote. Elements arrive here already encrypted by <see cref="MasterKeyXmlEncryptor"/>.
/// </summary>
public sealed class PostgresXmlRepository(PostgresDatabase db) : IXmlRepository
{
    private static class Sql
    {
        public const string All = "SELECT xml FROM data_protection_key ORDER BY friendly_name";

        // Friendly names hold the key's id: a second insert of one is the same key again.
        public const string Insert = "INSERT INTO data_protection_key (friendly_name, xml) VALUES (@FriendlyName, @Xml) ON CONFLICT (friendly_name) DO NOTHING";
    }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var c = db.Open();
        return c.Query<string>(Sql.All).Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var c = db.Open();
        c.Execute(Sql.Insert, new { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
