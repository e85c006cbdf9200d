using Google.Rpc;
using Grpc.Core;
using Npgsql;
using Orleans.Mail.Api.V1;
using Orleans.Mail.TestSupport;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// A database that stops taking writes (fault drill 6) is a passing fault: callers get <c>UNAVAILABLE</c> with a
/// retry delay, never <c>INTERNAL</c>, and the engine takes their mail again once it is back (security review F19).
/// Its own cluster and database, because the fault is the whole database's.
/// </summary>
public sealed class DatabaseFaultTests
{
    [Fact]
    public async Task SendMessage_DatabaseReadOnly_UnavailableWithRetryInfo_ThenAcceptedAndDeliveredWhenWritable()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = new MailCluster();
        await cluster.InitializeAsync();
        var database = new NpgsqlConnectionStringBuilder(cluster.ConnectionString).Database!;

        await SetReadOnlyAsync(database, true, token);
        RpcException refused;
        try
        {
            refused = await Assert.ThrowsAsync<RpcException>(() => cluster.Messages.SendMessageAsync(Message("ro@dbfault.example"), cancellationToken: token).ResponseAsync);
        }
        finally
        {
            await SetReadOnlyAsync(database, false, token);
        }

        Assert.True(refused.StatusCode == StatusCode.Unavailable, $"{refused.Status}\n{cluster.Diagnostics}");
        var retry = refused.GetRpcStatus()?.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.True(retry.RetryDelay.ToTimeSpan() > TimeSpan.Zero);

        // Back to writable: the retried call is accepted and delivered, once.
        SendMessageResponse accepted = null!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                accepted = await cluster.Messages.SendMessageAsync(Message("rw@dbfault.example"), cancellationToken: token);
                break;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, token);
            }
        }

        Assert.StartsWith("msg_", accepted.Id);
        var until = DateTime.UtcNow.AddSeconds(60);
        IReadOnlyList<ReceivedMessage> received;
        while (!(received = cluster.Sink.ReadMessages()).Any(m => m.Recipients.Contains("rw@dbfault.example")) && DateTime.UtcNow < until)
        {
            await Task.Delay(250, token);
        }

        await Task.Delay(2000, token);
        received = cluster.Sink.ReadMessages();
        Assert.Equal(1, received.Count(m => m.Recipients.Contains("rw@dbfault.example")));
        Assert.DoesNotContain(received, m => m.Recipients.Contains("ro@dbfault.example"));
    }

    private static SendMessageRequest Message(string to)
    {
        var request = new SendMessageRequest { From = "Shop <orders@shop.example>", Subject = "db fault", TextBody = "t" };
        request.To.Add(to);
        return request;
    }

    // New sessions of the database start read-only; the open ones are ended so that every pool reconnects into it.
    private static async Task SetReadOnlyAsync(string database, bool readOnly, CancellationToken token)
    {
        await using var admin = new NpgsqlConnection(TestPostgres.ServerConnectionString);
        await admin.OpenAsync(token);
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE \"{database}\" SET default_transaction_read_only = {(readOnly ? "on" : "off")}", admin))
        {
            await alter.ExecuteNonQueryAsync(token);
        }

        await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", admin);
        terminate.Parameters.Add(new() { Value = database });
        await terminate.ExecuteScalarAsync(token);
    }
}
