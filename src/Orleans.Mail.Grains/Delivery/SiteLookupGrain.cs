using Orleans.Concurrency;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Sites;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>Answers "which site is this domain in" for the gateway, with the silo's DNS and provider table.</summary>
[StatelessWorker]
public sealed class SiteLookupGrain(SiteResolver sites) : Grain, ISiteLookupGrain
{
    /// <inheritdoc />
    public async Task<string> SiteOf(string domain) => await sites.SiteOfAsync(domain);
}
