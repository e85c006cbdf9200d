using Npgsql;
using Orleans.Serialization;

namespace Orleans.Mail.Gateway.Errors;

/// <summary>
/// Tells a passing infrastructure fault (PostgreSQL down, restarting, read-only or out of connections; a deadline
/// that ran out inside the cluster) from a defect, so the caller gets <c>UNAVAILABLE</c> and retries instead of
/// <c>INTERNAL</c>, which gRPC clients treat as final (security review F19, fault drills 3 and 6).
/// </summary>
public static class InfrastructureFaults
{
    /// <summary>
    /// True when <paramref name="exception"/> or one of its inner exceptions is a transient PostgreSQL fault: a
    /// connection-level <see cref="NpgsqlException"/>, or a <see cref="PostgresException"/> whose SQLSTATE says the
    /// server cannot serve now (classes 08 connection, 53 insufficient resources, 57P operator intervention;
    /// 25006 read-only transaction; 40001 and 40P01 serialization failure and deadlock), as it arrives from a grain
    /// (Npgsql exceptions cross Orleans by their type, or as an <see cref="UnavailableExceptionFallbackException"/>
    /// naming it).
    /// </summary>
    public static bool IsTransientStorageFault(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    return IsTransientSqlState(SqlStateOf(postgres));
                case NpgsqlException:
                    return true;
                case UnavailableExceptionFallbackException { ExceptionType: { } type } fallback when type.StartsWith("Npgsql.", StringComparison.Ordinal):
                    return type != "Npgsql.PostgresException" || IsTransientSqlState(SqlStateOf(fallback.Message));
            }
        }

        return false;
    }

    // Across Orleans an exception keeps its message but not its own properties, so a PostgresException that came
    // from a grain has no SqlState; Npgsql starts its message with it ("57P01: terminating connection …").
    private static string? SqlStateOf(PostgresException exception) =>
        string.IsNullOrEmpty(exception.SqlState) ? SqlStateOf(exception.Message) : exception.SqlState;

    private static string? SqlStateOf(string message) => message.Length > 6 && message[5] == ':' ? message[..5] : null;

    /// <summary>True for a SQLSTATE (PostgreSQL Appendix A) that a later retry of the same statement can clear.</summary>
    public static bool IsTransientSqlState(string? sqlState) => sqlState is not null
        && (sqlState.StartsWith("08", StringComparison.Ordinal)
            || sqlState.StartsWith("53", StringComparison.Ordinal)
            || sqlState.StartsWith("57P", StringComparison.Ordinal)
            || sqlState is "25006" or "40001" or "40P01" or "55P03");
}
