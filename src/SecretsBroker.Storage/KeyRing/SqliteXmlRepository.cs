using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SecretsBroker.Storage.Shared;
using SecretsBroker.Storage.Sqlite;

namespace SecretsBroker.Storage.KeyRing;

/// <summary>
/// Keeps Data Protection's key ring in the broker database so every node shares it. Elements arrive
/// here already encrypted by <see cref="MasterKeyXmlEncryptor"/>.
/// </summary>
public sealed class SqliteXmlRepository(SqliteDatabase db) : IXmlRepository
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
