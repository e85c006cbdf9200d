using System.Collections.Concurrent;

namespace Orleans.Mail.TestSupport;

/// <summary>One completed SMTP transaction seen by a <see cref="RecipientScriptedSmtp"/>.</summary>
/// <param name="Connection">The index of the connection it arrived on.</param>
/// <param name="Recipients">The recipients accepted at RCPT, in order.</param>
/// <param name="Data">The DATA section as on the wire (without the final dot line).</param>
public sealed record SmtpTransactionRecord(int Connection, IReadOnlyList<string> Recipients, byte[] Data);

/// <summary>
/// A script for <see cref="RawSmtpFake"/> that answers each RCPT from a callback (given the address and the
/// RCPT's number within the current transaction, counted from 1 and reset by MAIL and RSET) and records every
/// transaction that reached the end of DATA with the recipients it accepted. Everything else is answered as
/// a well-behaved server would (MAIL/RSET/NOOP 250, DATA 354 then 250, QUIT 221).
/// </summary>
/// <param name="ehloReply">The full EHLO reply (include the CRLFs).</param>
/// <param name="rcptReply">The reply line for a RCPT without CRLF, or null to accept it with 250.</param>
public sealed class RecipientScriptedSmtp(string ehloReply, Func<string, int, string?> rcptReply)
{
    private readonly ConcurrentQueue<SmtpTransactionRecord> _transactions = new();
    private int _dataCommands;
    private int _resets;

    /// <summary>Transactions that ended with 250 to the final dot, in order.</summary>
    public IReadOnlyList<SmtpTransactionRecord> Transactions => _transactions.ToArray();

    /// <summary>DATA commands received (over all connections).</summary>
    public int DataCommands => _dataCommands;

    /// <summary>RSET commands received (over all connections).</summary>
    public int Resets => _resets;

    /// <summary>The script to pass to <see cref="RawSmtpFake.Start"/>.</summary>
    public async Task RunAsync(RawSmtpConnection connection)
    {
        await connection.WriteAsync("220 mx.example.net ESMTP\r\n");
        var accepted = new List<string>();
        var number = 0;
        while (await connection.ReadCommandAsync() is { } command)
        {
            var verb = command.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO":
                    await connection.WriteAsync(ehloReply);
                    break;
                case "MAIL" or "RSET":
                    if (verb == "RSET")
                    {
                        Interlocked.Increment(ref _resets);
                    }

                    accepted.Clear();
                    number = 0;
                    await connection.WriteAsync("250 2.0.0 Ok\r\n");
                    break;
                case "RCPT":
                    var address = Address(command);
                    var reply = rcptReply(address, ++number);
                    if (reply is null)
                    {
                        accepted.Add(address);
                        await connection.WriteAsync("250 2.1.5 Ok\r\n");
                    }
                    else
                    {
                        await connection.WriteAsync(reply + "\r\n");
                    }

                    break;
                case "DATA":
                    Interlocked.Increment(ref _dataCommands);
                    if (accepted.Count == 0)
                    {
                        await connection.WriteAsync("554 5.5.1 Error: no valid recipients\r\n");
                        break;
                    }

                    await connection.WriteAsync("354 End data with <CR><LF>.<CR><LF>\r\n");
                    if (await connection.ReadDataAsync() is not { } data)
                    {
                        return;
                    }

                    _transactions.Enqueue(new SmtpTransactionRecord(connection.Index, accepted.ToArray(), data));
                    accepted.Clear();
                    number = 0;
                    await connection.WriteAsync("250 2.0.0 Ok: queued\r\n");
                    break;
                case "QUIT":
                    await connection.WriteAsync("221 2.0.0 Bye\r\n");
                    return;
                default:
                    await connection.WriteAsync("250 2.0.0 Ok\r\n");
                    break;
            }
        }
    }

    private static string Address(string command)
    {
        var start = command.IndexOf('<', StringComparison.Ordinal);
        var end = command.IndexOf('>', start + 1);
        return start >= 0 && end > start ? command[(start + 1)..end] : command;
    }
}
