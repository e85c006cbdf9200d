using System.Security.Cryptography;
using Grpc.Core;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Orleans.Mail.Api.V1;

namespace Orleans.Mail.EndToEnd.Tests;

/// <summary>
/// C14/C16/C24/C26 through the real stack: the silo signs with the key from <c>Dkim:Keys</c>; what smtp-sink
/// received verifies with MimeKit's verifier (its prepended X-* lines are not signed), d= equals the From domain,
/// and with <c>Dkim:RequireForCampaigns</c> a campaign From an unsigned domain is refused.
/// </summary>
public sealed class DkimTests
{
    private const string Domain = "sender.test";

    [Fact]
    public async Task Campaign_SignedBySilo_ReceivedMessageVerifiesWithDEqualFromDomain_UnsignedDomainFailedPrecondition()
    {
        using var rsa = RSA.Create(2048);
        var keyPath = Path.Combine(Path.GetTempPath(), $"e2e-dkim-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(keyPath, rsa.ExportRSAPrivateKeyPem());
        try
        {
            await using var cluster = new MailCluster
            {
                ConfigureSilo = env =>
                {
                    env["Dkim__Keys__0__Domain"] = Domain;
                    env["Dkim__Keys__0__Selector"] = "e2e";
                    env["Dkim__Keys__0__PrivateKeyPath"] = keyPath;
                    env["Dkim__RequireForCampaigns"] = "true";
                },
            };
            await cluster.InitializeAsync();

            // C14: no key for unsigned.test (nor a parent) → refused before anything is stored.
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Campaigns.CreateCampaignAsync(new CreateCampaignRequest
            {
                Name = "unsigned", From = "News <news@unsigned.test>", Subject = "Hi", TextBody = "Hello",
            }));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);

            // A subdomain of the key's domain is covered by it.
            var created = await cluster.Campaigns.CreateCampaignAsync(new CreateCampaignRequest
            {
                Name = "signed",
                From = $"Tests <news@{Domain}>",
                Subject = "Grüße {{ first_name }}",
                // C26: lines starting with "." (dot-stuffed on the wire only); C24: UTF-8 text, 7-bit encoded before signing.
                TextBody = "Grüße {{ first_name }}\n.hidden config\n.\n..\nend",
                HtmlBody = "<p>Grüße <b>{{ token }}</b></p>",
            });
            var sub = await cluster.Campaigns.CreateCampaignAsync(new CreateCampaignRequest
            {
                Name = "subdomain", From = $"news@mail.{Domain}", Subject = "Hi", TextBody = "Hello",
            });
            Assert.NotEmpty(sub.Id);

            var recipients = CampaignFlow.Recipients(4, 2, prefix: "dkim");
            await CampaignFlow.AddAsync(cluster.Campaigns, created.Id, recipients, batchSize: 10);
            await cluster.Campaigns.StartCampaignAsync(new StartCampaignRequest { CampaignId = created.Id });
            var done = await CampaignFlow.WaitCompletedAsync(cluster.Campaigns, created.Id, TimeSpan.FromMinutes(1));
            Assert.Equal(4, done.Delivered);

            var received = cluster.Sink.ReadMessages().Where(m => m.Recipients.Any(r => r.StartsWith("dkim", StringComparison.Ordinal))).ToList();
            Assert.Equal(4, received.Count);
            var verifier = new DkimVerifier(new Locator($"v=DKIM1; k=rsa; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}"));
            foreach (var (_, message, path) in received)
            {
                var header = message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)];
                Assert.True(verifier.Verify(message, header), $"DKIM does not verify: {path}");
                var tags = header.Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(t => t.Split('=', 2)).ToDictionary(t => t[0], t => string.Concat(t[1].Where(c => !char.IsWhiteSpace(c))), StringComparer.Ordinal);
                Assert.Equal(message.From.Mailboxes.Single().Domain, tags["d"]);
                Assert.Equal(("e2e", "rsa-sha256", "relaxed/relaxed"), (tags["s"], tags["a"], tags["c"]));
                var signed = tags["h"].ToLowerInvariant().Split(':');
                foreach (var name in new[] { "List-Unsubscribe", "List-Unsubscribe-Post" }.Where(message.Headers.Contains))
                {
                    Assert.Contains(name.ToLowerInvariant(), signed);
                }
                Assert.Contains(".hidden config\n.\n..\nend", message.TextBody?.ReplaceLineEndings("\n"), StringComparison.Ordinal);
                Assert.StartsWith("Grüße Name", message.Subject, StringComparison.Ordinal);
                Assert.DoesNotContain(await File.ReadAllBytesAsync(path), b => b >= 0x80);
            }
        }
        finally
        {
            File.Delete(keyPath);
        }
    }

    /// <summary>Returns one TXT record (RFC 6376 §3.6.1) for every selector and domain.</summary>
    private sealed class Locator(string txt) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            GetPublicKey(txt);

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(GetPublicKey(txt));
    }
}
