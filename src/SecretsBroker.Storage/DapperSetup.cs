using System.Data;
using Dapper;
using NodaTime;

namespace SecretsBroker.Storage;

/// <summary>Dapper's global settings for the broker's tables. Safe to call more than once.</summary>
public static class DapperSetup
{
    private static int registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1)
        {
            return;
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new InstantAsUnixMilliseconds());
        SqlMapper.RemoveTypeMap(typeof(Guid));
        SqlMapper.AddTypeHandler(new GuidAsText());
    }

    /// <summary>Instants are stored as INTEGER unix milliseconds: sortable, indexable, zone-free.</summary>
    private sealed class InstantAsUnixMilliseconds : SqlMapper.TypeHandler<Instant>
    {
        public override Instant Parse(object value) => Instant.FromUnixTimeMilliseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));

        public override void SetValue(IDbDataParameter parameter, Instant value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = value.ToUnixTimeMilliseconds();
        }
    }

    /// <summary>Microsoft.Data.Sqlite writes Guids as TEXT and Dapper cannot read them back without this.</summary>
    private sealed class GuidAsText : SqlMapper.TypeHandler<Guid>
    {
        public override Guid Parse(object value) => Guid.Parse((string)value);

        public override void SetValue(IDbDataParameter parameter, Guid value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = value.ToString("D");
        }
    }
}
