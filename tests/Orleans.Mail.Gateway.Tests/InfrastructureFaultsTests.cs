using Npgsql;
using Orleans.Mail.Gateway.Errors;

namespace Orleans.Mail.Gateway.Tests;

public sealed class InfrastructureFaultsTests
{
    [Theory]
    [InlineData("57P01")] // admin_shutdown: PostgreSQL stopping
    [InlineData("57P03")] // cannot_connect_now: starting up
    [InlineData("08006")] // connection_failure
    [InlineData("53300")] // too_many_connections
    [InlineData("25006")] // read_only_sql_transaction
    [InlineData("40P01")] // deadlock_detected
    public void IsTransientStorageFault_ServerCannotServeNow_True(string sqlState) =>
        Assert.True(InfrastructureFaults.IsTransientStorageFault(new PostgresException("m", "FATAL", "FATAL", sqlState)));

    [Theory]
    [InlineData("23505")] // unique_violation: a defect, not a passing fault
    [InlineData("42P01")] // undefined_table
    [InlineData("22021")] // invalid byte sequence
    public void IsTransientStorageFault_DefectSqlState_False(string sqlState) =>
        Assert.False(InfrastructureFaults.IsTransientStorageFault(new PostgresException("m", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void IsTransientStorageFault_NpgsqlConnectionErrorWrapped_True() =>
        Assert.True(InfrastructureFaults.IsTransientStorageFault(
            new InvalidOperationException("outer", new NpgsqlException("Failed to connect to 127.0.0.1:5432"))));

    [Fact]
    public void IsTransientStorageFault_UnrelatedException_False() =>
        Assert.False(InfrastructureFaults.IsTransientStorageFault(new InvalidOperationException("bug")));
}
