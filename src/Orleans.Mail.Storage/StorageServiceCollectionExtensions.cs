using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Orleans.Mail.Storage;

/// <summary>Registers the spool's PostgreSQL data source and stores.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds one pooled <see cref="NpgsqlDataSource"/> for <paramref name="connectionString"/> and the spool
    /// stores (<see cref="CampaignSpool"/>, <see cref="DeliveryQueue"/>, <see cref="MessageStore"/>).
    /// Needs a <see cref="TimeProvider"/> registration (the system one is added if missing).
    /// </summary>
    public static IServiceCollection AddMailStorage(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddSingleton<CampaignSpool>();
        services.AddSingleton<DeliveryQueue>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<SuppressionStore>();
        services.AddSingleton<BounceStore>();
        return services;
    }
}
