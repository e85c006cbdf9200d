using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Mail.Delivery.Classification;
using Orleans.Mail.Delivery;
using Orleans.Mail.Grains.Delivery;
using Orleans.Mail.Storage;

namespace Orleans.Mail.Grains;

/// <summary>Registers what the grains need: spool storage, SMTP delivery, pacing options and the template cache.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>Adds the grains' services; <paramref name="spoolConnectionString"/> is the PostgreSQL spool.</summary>
    public static IServiceCollection AddMailGrains(this IServiceCollection services, string spoolConnectionString)
    {
        services.AddMailStorage(spoolConnectionString);
        services.AddMailDelivery();
        services.AddOptions<PacingOptions>().BindConfiguration(PacingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CampaignContentCache>();
        services.AddSingleton<DeliverySlots>();
        services.TryAddSingleton<ReplyClassifier>();
        services.AddSingleton<OutcomeClassifier>();
        services.AddSingleton<EnvelopeSenderCheck>();
        services.AddSingleton<Orleans.Mail.Delivery.Bounces.BounceInterpreter>();
        return services;
    }
}
