using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Orleans.Mail.Api.V1;
using Orleans.Mail.Delivery;
using Orleans.Mail.Gateway.Auth;
using Orleans.Mail.Gateway.Validation;
using ApiSite = Orleans.Mail.Api.V1.Site;
using ApiSitePolicy = Orleans.Mail.Api.V1.SitePolicy;
using EngineSitePolicy = Orleans.Mail.Delivery.SitePolicy;

namespace Orleans.Mail.Gateway.Services;

/// <summary>
/// The <c>SiteService</c> adapter (operator API): checks that the caller's tenant is an operator
/// (<see cref="GatewayOptions.OperatorTenants"/>), validates, and forwards to the site's pacer grain.
/// </summary>
public sealed class SiteApi(IGrainFactory grains, IOptionsMonitor<GatewayOptions> options) : SiteService.SiteServiceBase
{
    private const int MaxSuspendSeconds = 7 * 24 * 3600;

    /// <inheritdoc />
    public override async Task<ApiSite> GetSite(GetSiteRequest request, ServerCallContext context) =>
        ToApi(await (await SiteAsync(request.Site, request.Domain, context)).GetStatus());

    /// <inheritdoc />
    public override async Task<ApiSite> SetSitePolicy(SetSitePolicyRequest request, ServerCallContext context)
    {
        var site = await SiteAsync(request.Site, request.Domain, context);
        var policy = request.Policy ?? throw BadRequests.Single("policy", "is required; use ClearSitePolicy to remove one");
        var errors = new List<Google.Rpc.BadRequest.Types.FieldViolation>();
        if (policy.HasMessagesPerSecond && policy.MessagesPerSecond is not (>= 0.01 and <= 100_000))
        {
            errors.Add(new() { Field = "policy.messages_per_second", Description = "must be 0.01 to 100,000 messages/s" });
        }

        if (policy.HasMaxConnections && policy.MaxConnections is not (>= 1 and <= 1000))
        {
            errors.Add(new() { Field = "policy.max_connections", Description = "must be 1 to 1,000" });
        }

        if (policy.HasMessagesPerConnection && policy.MessagesPerConnection is not (>= 1 and <= 100_000))
        {
            errors.Add(new() { Field = "policy.messages_per_connection", Description = "must be 1 to 100,000" });
        }

        if (!policy.HasMessagesPerSecond && !policy.HasMaxConnections && !policy.HasMessagesPerConnection)
        {
            errors.Add(new() { Field = "policy", Description = "set at least one of messages_per_second, max_connections, messages_per_connection" });
        }

        if (errors.Count > 0)
        {
            throw BadRequests.From(errors);
        }

        var engine = new EngineSitePolicy(
            policy.HasMessagesPerSecond ? policy.MessagesPerSecond : null,
            policy.HasMaxConnections ? policy.MaxConnections : null,
            policy.HasMessagesPerConnection ? policy.MessagesPerConnection : null);
        return ToApi(await site.SetPolicy(engine));
    }

    /// <inheritdoc />
    public override async Task<ApiSite> ClearSitePolicy(GetSiteRequest request, ServerCallContext context) =>
        ToApi(await (await SiteAsync(request.Site, request.Domain, context)).SetPolicy(null));

    /// <inheritdoc />
    public override async Task<ApiSite> SuspendSite(SuspendSiteRequest request, ServerCallContext context)
    {
        var site = await SiteAsync(request.Site, request.Domain, context);
        if (request.Seconds is < 0 or > MaxSuspendSeconds)
        {
            throw BadRequests.Single("seconds", $"must be 0 (until resumed) to {MaxSuspendSeconds:N0}");
        }

        if (MailRules.TextProblem(request.Reason, 500, allowLineBreaks: false) is { } problem)
        {
            throw BadRequests.Single("reason", problem);
        }

        var duration = request.Seconds == 0 ? (TimeSpan?)null : TimeSpan.FromSeconds(request.Seconds);
        return ToApi(await site.Suspend(duration, request.Reason));
    }

    /// <inheritdoc />
    public override async Task<ApiSite> ResumeSite(GetSiteRequest request, ServerCallContext context) =>
        ToApi(await (await SiteAsync(request.Site, request.Domain, context)).Resume());

    /// <summary>The pacer grain named by a site key or a recipient domain, after the operator check.</summary>
    private async Task<ISiteGrain> SiteAsync(string site, string domain, ServerCallContext context)
    {
        var tenant = context.Tenant();
        if (!options.CurrentValue.OperatorTenants.Contains(tenant, StringComparer.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Tenant '{tenant}' may not use the operator API (Gateway:OperatorTenants)."));
        }

        if (site.Length > 0 && domain.Length > 0)
        {
            throw BadRequests.Single("site", "give either site or domain, not both");
        }

        if (site.Length > 0)
        {
            if (site.Length > 1000 || !IsSiteKey(site))
            {
                // A typo must not create (and store settings for) a site that mail never goes to.
                throw BadRequests.Single("site", "must be a site key: provider:NAME, mx:HOST[,HOST…] or a domain name (see GetSite by domain)");
            }

            return grains.GetGrain<ISiteGrain>(site);
        }

        if (domain.Length == 0)
        {
            throw BadRequests.Single("site", "a site key or a domain is required");
        }

        string normalized;
        try
        {
            normalized = RecipientDomain.Of("x@" + domain);
        }
        catch (FormatException)
        {
            throw BadRequests.Single("domain", "must be a domain name (letters, digits, hyphens and dots; internationalised names allowed)");
        }

        if (!normalized.Contains('.', StringComparison.Ordinal))
        {
            throw BadRequests.Single("domain", "must be a domain name with at least one dot");
        }

        return grains.GetGrain<ISiteGrain>(await grains.GetGrain<ISiteLookupGrain>(0).SiteOf(normalized));
    }

    /// <summary>True for the shapes site keys take: <c>provider:name</c>, <c>mx:host,host</c> or a domain name.</summary>
    private static bool IsSiteKey(string site)
    {
        if (site.StartsWith("provider:", StringComparison.Ordinal))
        {
            var name = site["provider:".Length..];
            return name.Length is > 0 and <= 63 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
        }

        var hosts = site.StartsWith("mx:", StringComparison.Ordinal) ? site["mx:".Length..].Split(',') : [site];
        return hosts.All(IsHostName);
    }

    private static bool IsHostName(string host) =>
        host.Length is > 3 and <= 253 && host.Contains('.', StringComparison.Ordinal)
        && host.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));

    private static ApiSite ToApi(SiteStatus status)
    {
        var site = new ApiSite
        {
            Key = status.Site,
            State = status.State,
            MessagesPerSecond = status.MessagesPerSecond,
            CeilingMessagesPerSecond = status.CeilingMessagesPerSecond,
            MaxConnections = status.MaxConnections,
            CeilingConnections = status.CeilingConnections,
            MessagesPerConnection = status.MessagesPerConnection,
            Connections = status.Connections,
            Queued = status.Queued,
            Reason = status.Reason,
            Silo = status.Silo,
            ResumeAt = status.ResumeAt is { } resume ? Timestamp.FromDateTimeOffset(resume) : null,
        };
        site.Domains.AddRange(status.Domains);
        site.LastReplies.AddRange(status.LastReplies.Select(r => new Api.V1.SiteReply
        {
            At = Timestamp.FromDateTimeOffset(r.At), Domain = r.Domain, Reply = r.Reply, Class = r.Class,
        }));
        if (status.Policy is { } policy)
        {
            site.Policy = new ApiSitePolicy();
            if (policy.MessagesPerSecond is { } rate)
            {
                site.Policy.MessagesPerSecond = rate;
            }

            if (policy.MaxConnections is { } connections)
            {
                site.Policy.MaxConnections = connections;
            }

            if (policy.MessagesPerConnection is { } perConnection)
            {
                site.Policy.MessagesPerConnection = perConnection;
            }
        }

        return site;
    }
}
