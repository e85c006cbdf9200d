using Google.Protobuf.WellKnownTypes;
using Orleans.Mail.Campaigns;
using ApiCampaign = Orleans.Mail.Api.V1.Campaign;
using ApiCampaignState = Orleans.Mail.Api.V1.CampaignState;
using ApiMessageState = Orleans.Mail.Api.V1.MessageState;

namespace Orleans.Mail.Gateway.Services;

/// <summary>Maps the engine's records to the API's messages.</summary>
public static class ProtoMapping
{
    /// <summary>A campaign snapshot as the API's <c>Campaign</c>.</summary>
    public static ApiCampaign ToApi(this CampaignSnapshot snapshot)
    {
        var campaign = ToApiCounters(snapshot);
        foreach (var (name, count) in snapshot.ClassCounts)
        {
            campaign.ClassCounts[name] = count;
        }

        foreach (var alert in snapshot.Alerts)
        {
            campaign.Alerts.Add(new Api.V1.CampaignAlert
            {
                Kind = alert.Kind,
                SendingDomain = alert.SendingDomain,
                LastReply = alert.LastReply,
                Count = alert.Count,
                FirstSeen = Timestamp.FromDateTimeOffset(alert.FirstSeen),
                LastSeen = Timestamp.FromDateTimeOffset(alert.LastSeen),
            });
        }

        return campaign;
    }

    private static ApiCampaign ToApiCounters(CampaignSnapshot snapshot) => new()
    {
        Id = snapshot.Id,
        Name = snapshot.Name,
        State = (ApiCampaignState)(int)snapshot.State,
        Total = snapshot.Total,
        Queued = snapshot.Count(MessageState.Queued) + snapshot.Count(MessageState.Draft),
        InFlight = snapshot.Count(MessageState.InFlight),
        Delivered = snapshot.Count(MessageState.Delivered),
        Deferred = snapshot.Count(MessageState.Deferred),
        Bounced = snapshot.Count(MessageState.Bounced),
        Expired = snapshot.Count(MessageState.Expired),
        Suppressed = snapshot.Count(MessageState.Suppressed),
        MessagesPerSecond = snapshot.MessagesPerSecond,
        PossibleDuplicates = snapshot.PossibleDuplicates,
        Weight = snapshot.Weight,
        CreatedAt = Timestamp.FromDateTimeOffset(snapshot.CreatedAt),
        StartedAt = snapshot.StartedAt is { } started ? Timestamp.FromDateTimeOffset(started) : null,
        CompletedAt = snapshot.CompletedAt is { } completed ? Timestamp.FromDateTimeOffset(completed) : null,
    };

    /// <summary>An engine state as the API's enum (same numbers).</summary>
    public static ApiMessageState ToApi(this MessageState state) => (ApiMessageState)(int)state;

    /// <summary>An API state filter as the engine's; null for UNSPECIFIED.</summary>
    public static MessageState? FromApi(ApiMessageState state) =>
        state == ApiMessageState.Unspecified ? null : (MessageState)(short)state;

    /// <summary>API headers as the engine's.</summary>
    public static HeaderField[] FromApi(IEnumerable<Api.V1.Header> headers) =>
        headers.Select(h => new HeaderField(h.Name, h.Value)).ToArray();
}
