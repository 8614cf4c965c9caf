using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SecretsBroker.Storage.Postgres;
using SecretsBroker.Storage.Shared;

namespace SecretsBroker.Storage.KeyRing;

/// <summary>
/// Keeps Data Protection's key ring in the PostgreSQL store, so every node over it reads the keys any
/// node made. Elements arrive here already encrypted by <see cref="MasterKeyXmlEncryptor"/>.
/// </summary>
public sealed class PostgresXmlRepository(PostgresDatabase db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var c = db.Open();
        return KeyRingTable.AllElements(c);
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var c = db.Open();
        KeyRingTable.Store(c, element, friendlyName);
    }
}
