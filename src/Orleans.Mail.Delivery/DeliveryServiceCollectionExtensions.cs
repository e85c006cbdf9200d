using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Mail.Delivery.Composition;
using Orleans.Mail.Delivery.Dkim;
using Orleans.Mail.Delivery.Retries;
using Orleans.Mail.Delivery.Routing;
using Orleans.Mail.Delivery.Sites;
using Orleans.Mail.Delivery.Smtp;

namespace Orleans.Mail.Delivery;

/// <summary>Registers SMTP delivery: options (validated on start), routing, the session pool, composition and retries.</summary>
public static class DeliveryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the delivery services, binding <c>Smtp</c>, <c>Routing</c>, <c>Dns</c>, <c>Retry</c>, <c>Unsubscribe</c>, <c>Dkim</c> and <c>Sites</c> from configuration
    /// (validated on start). Domains without a route or smarthost are routed by MX look-up (<see cref="IMxResolver"/>).
    /// </summary>
    public static IServiceCollection AddMailDelivery(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.SourceAddress.Length == 0 || System.Net.IPAddress.TryParse(o.SourceAddress, out _), "Smtp:SourceAddress must be an IP address literal of this host.")
            .ValidateOnStart();
        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.Section)
            .Validate(RoutesAreValid, "Routing: Smarthost and every Routes value must be host:port with a port in 1-65535, and MxPort in 1-65535.")
            .ValidateOnStart();
        services.AddOptions<DnsOptions>().BindConfiguration(DnsOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.ServersAreValid(), "Dns:Servers must be IP address literals with an optional port (ip:port, [v6]:port), port 1-65535.")
            .ValidateOnStart();
        services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.IntervalsSeconds.All(i => i > 0), "Retry:IntervalsSeconds must all be positive.")
            .ValidateOnStart();
        services.AddOptions<UnsubscribeOptions>().BindConfiguration(UnsubscribeOptions.Section).Validate(o => o.IsValid(), UnsubscribeOptions.ValidationMessage).ValidateOnStart();
        services.AddOptions<DkimOptions>().BindConfiguration(DkimOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<DkimOptions>, DkimOptionsValidator>());
        services.TryAddSingleton<DkimMessageSigner>();
        services.TryAddSingleton<IMxResolver, MxResolver>();
        services.TryAddSingleton<IMailRouter, StaticMailRouter>();
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section)
            .Validate(o => o.Providers.Values.All(p => p.IsValid()), ProviderSite.ValidationMessage)
            .ValidateOnStart();
        services.TryAddSingleton<SiteResolver>();
        services.AddSingleton<SmtpConnector>();
        services.AddSingleton<HostCircuitBreakers>();
        services.AddSingleton<SmtpSessionPool>();
        services.AddSingleton(sp => new SmtpBatchSender(
            sp.GetRequiredService<IMailRouter>(), sp.GetRequiredService<SmtpSessionPool>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SmtpBatchSender>>(),
            sp.GetRequiredService<TimeProvider>())
        {
            MaxRecipientsPerTransaction = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SmtpOptions>>().Value.MaxRecipientsPerTransaction,
        });
        services.AddSingleton<MessageComposer>();
        services.AddSingleton<RetrySchedule>();
        return services;
    }

    private static bool RoutesAreValid(RoutingOptions options)
    {
        if (options.MxPort is < 1 or > 65535)
        {
            return false;
        }

        try
        {
            if (!string.IsNullOrWhiteSpace(options.Smarthost))
            {
                SmtpEndpoint.Parse(options.Smarthost);
            }

            foreach (var route in options.Routes.Values)
            {
                SmtpEndpoint.Parse(route);
            }

            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
