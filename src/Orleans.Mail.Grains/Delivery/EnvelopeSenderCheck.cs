using Microsoft.Extensions.Options;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Errors;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// Refuses an envelope sender whose domain publishes a null MX (RFC 7505): bounces to it could never be
/// returned. Only a definite null MX refuses; DNS trouble never blocks a send. The look-up runs only when
/// DNS servers are configured or LoopbackOnly is off, so a loopback-only test or demo never asks an
/// outside resolver.
/// </summary>
public sealed class EnvelopeSenderCheck(IMxResolver resolver, IOptions<DnsOptions> dns, IOptions<SmtpOptions> smtp)
{
    /// <summary>Throws when <paramref name="envelopeSender"/>'s domain has a null MX.</summary>
    /// <param name="field">The request field to name in the error.</param>
    /// <param name="envelopeSender">A bare address.</param>
    /// <exception cref="MailPreconditionException">The domain has a null MX (gRPC FAILED_PRECONDITION).</exception>
    public async Task EnsureBouncesCanReturnAsync(string field, string envelopeSender)
    {
        if (dns.Value.Servers.Count == 0 && smtp.Value.LoopbackOnly)
        {
            return;
        }

        string domain;
        try
        {
            domain = RecipientDomain.Of(envelopeSender);
        }
        catch (FormatException)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var route = await resolver.ResolveAsync(domain, timeout.Token);
        if (route.Failure is { Permanent: true, EnhancedCode: "5.1.10" })
        {
            throw new MailPreconditionException(
                $"{field}: the domain of '{envelopeSender}' publishes a null MX (RFC 7505), so bounces could not be returned to it.");
        }
    }
}
