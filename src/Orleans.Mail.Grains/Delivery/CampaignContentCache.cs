using System.Collections.Concurrent;
using Orleans.Mail.Campaigns;
using Orleans.Mail.Delivery.Composition;

namespace Orleans.Mail.Grains.Delivery;

/// <summary>
/// Parsed campaign templates per silo: each campaign's definition is fetched from its grain and parsed
/// once, then shared by every worker on the silo. A failed fetch is not cached.
/// </summary>
public sealed class CampaignContentCache(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<CampaignContent>>> _contents = new();

    /// <summary>The parsed content of campaign <paramref name="campaignId"/>.</summary>
    public async Task<CampaignContent> GetAsync(Guid campaignId)
    {
        var entry = _contents.GetOrAdd(campaignId, id => new Lazy<Task<CampaignContent>>(() => LoadAsync(id)));
        try
        {
            return await entry.Value;
        }
        catch
        {
            _contents.TryRemove(new KeyValuePair<Guid, Lazy<Task<CampaignContent>>>(campaignId, entry));
            throw;
        }
    }

    private async Task<CampaignContent> LoadAsync(Guid campaignId)
    {
        var campaign = grains.GetGrain<ICampaignGrain>(MailIds.Campaign(campaignId));
        var definition = await campaign.GetDefinition();
        return new CampaignContent(
            definition.From, definition.EnvelopeSender, definition.SubjectTemplate, definition.TextTemplate, definition.HtmlTemplate,
            definition.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToArray(),
            tenantId: await campaign.GetTenant(), campaignId: campaignId);
    }
}
