using Npgsql;

namespace Orleans.Mail.TestSupport;

/// <summary>
/// The private PostgreSQL cluster that scripts/test.sh starts on loopback. Its connection string comes
/// from ORLEANS_MAIL_TEST_PG; each fixture gets a fresh database of its own.
/// </summary>
public static class TestPostgres
{
    public const string EnvironmentVariable = "ORLEANS_MAIL_TEST_PG";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable)
        ?? throw new InvalidOperationException(
            $"{EnvironmentVariable} is not set: run the tests with scripts/test.sh, which starts PostgreSQL.");

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }
}
