using DbUp;
using DbUp.Engine;

namespace Orleans.Mail.Storage;

/// <summary>
/// Applies the project's PostgreSQL schema: the tables and <c>OrleansQuery</c> rows the Orleans ADO.NET
/// providers (clustering, grain persistence, reminders) need, and the spool and delivery log.
/// Scripts are embedded resources under <c>Schema/</c>, run once each in name order; DbUp records what
/// ran in <c>schemaversions</c>, so applying again is a no-op.
/// </summary>
public static class SchemaMigrator
{
    /// <summary>
    /// Creates the database if it is missing, then runs every script not yet applied, each in its own
    /// transaction.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string whose user may create tables.</param>
    /// <returns>The names of the scripts that ran now (empty when the schema was current).</returns>
    /// <exception cref="InvalidOperationException">A script failed; the message names it and the error.</exception>
    public static IReadOnlyList<string> Apply(string connectionString)
    {
        EnsureDatabase.For.PostgresqlDatabase(connectionString, new DbUp.Engine.Output.NoOpUpgradeLog());
        var engine = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrator).Assembly, name => name.Contains(".Schema.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        DatabaseUpgradeResult result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Schema script {result.ErrorScript?.Name ?? "(unknown)"} failed: {result.Error?.Message}", result.Error);
        }

        return result.Scripts.Select(s => s.Name).ToArray();
    }
}
