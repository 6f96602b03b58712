using System.Net.Sockets;
using Nocturne.Grains.Interfaces.Storage;
using Npgsql;

namespace Nocturne.Grains.Storage;

/// <summary>
/// Sorts what Npgsql throws into the two kinds a client must be told apart: the database is
/// unreachable (retry later, 503) or it refused a value the client sent (400). Anything else is a bug.
/// </summary>
public static class StorageFailures
{
    /// <summary>PostgreSQL cannot be reached or is refusing work right now.</summary>
    public static bool IsOutage(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case StorageUnavailableException:
                    return true;

                // Server-side errors are only an outage when they say the server is going away
                // or refusing connections (SQLSTATE classes 08, 53, 57P); a constraint violation is a bug.
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
                        || pg.SqlState.StartsWith("57P", StringComparison.Ordinal);
                case NpgsqlException or SocketException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>A data exception (SQLSTATE class 22): a value PostgreSQL cannot store or compare.</summary>
    public static PostgresException? RejectedValue(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg)
            {
                return pg.SqlState.StartsWith("22", StringComparison.Ordinal) ? pg : null;
            }
        }

        return null;
    }

    /// <summary>
    /// The serializable exception to throw instead of a driver exception, or null to let it pass.
    /// Orleans cannot carry Npgsql's exceptions to a caller on another silo.
    /// </summary>
    public static Exception? Translate(Exception ex)
    {
        if (ex is StorageUnavailableException or StorageRejectedValueException)
        {
            return null;
        }

        if (RejectedValue(ex) is { } rejected)
        {
            return new StorageRejectedValueException(rejected.SqlState, $"The database refused a value: {rejected.MessageText}");
        }

        return IsOutage(ex) ? new StorageUnavailableException($"Database unavailable: {ex.GetBaseException().Message}") : null;
    }
}
