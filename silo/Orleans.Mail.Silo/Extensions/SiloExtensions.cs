using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Data.Common;
using System.Net;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Mail.Delivery;
using Orleans.Mail.Delivery.Telemetry;
using OpenTelemetry.Metrics;
using Orleans.Mail.Grains;
using Orleans.Mail.Silo.Bounces;
using Orleans.Mail.Storage;

namespace Orleans.Mail.Silo.Extensions;

/// <summary>The silo's composition: Orleans on PostgreSQL (clustering, grain storage, reminders), the dashboard and the grains' services.</summary>
public static class SiloExtensions
{
    private const string Invariant = "Npgsql";

    /// <summary>Configures the silo from configuration (<c>ConnectionStrings:Spool</c>, <c>Silo</c>, <c>Orleans:Membership</c>, <c>Smtp</c>, <c>Routing</c>, <c>Retry</c>, <c>Pacing</c>, <c>Bounces</c>).</summary>
    public static HostApplicationBuilder AddMailSilo(this HostApplicationBuilder builder)
    {
        var connectionString = SpoolConnectionString(builder.Configuration);
        var hosting = builder.Configuration.GetSection(SiloHostingOptions.Section).Get<SiloHostingOptions>() ?? new SiloHostingOptions();
        if (hosting.MigrateOnStart)
        {
            SchemaMigrator.Apply(connectionString);
        }

        DbProviderFactories.RegisterFactory(Invariant, NpgsqlFactory.Instance);
        builder.Services.AddMailGrains(connectionString);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = hosting.ClusterId;
                o.ServiceId = hosting.ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Parse(hosting.AdvertisedIp), hosting.SiloPort, hosting.GatewayPort, listenOnAnyHostAddress: false);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });
            silo.AddAdoNetGrainStorage("campaigns", o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });
            silo.AddAdoNetGrainStorage("sites", o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });
            silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Orleans:Membership"));
            // Npgsql's exceptions must cross silos and reach the gateway as what they are (a database fault the
            // caller can retry); without this Orleans has no codec for them and the reply itself is lost.
            silo.Services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
            silo.AddDashboard();
            // A site's connection slots go round the silos, so its SMTP sessions run on all of them.
            silo.AddPlacementDirector<Orleans.Mail.Grains.Delivery.Placement.SlotSpreadPlacement, Orleans.Mail.Grains.Delivery.Placement.SlotSpreadPlacementDirector>();
            silo.AddStartupTask(static async (services, _) =>
                await services.GetRequiredService<IGrainFactory>().GetGrain<ISpoolDispatcherGrain>(0).EnsureRunning());
        });
        builder.Services.AddOptions<BounceListenerOptions>().BindConfiguration(BounceListenerOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.IsValid(), BounceListenerOptions.ValidationMessage).ValidateOnStart();
        builder.Services.AddHostedService<BounceListenerService>();
        builder.Services.AddHostedService<Dispatch.DispatcherKeeper>();
        if (hosting.MetricsPort > 0)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(MailMetrics.MeterName, "Microsoft.Orleans", "System.Runtime")
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = hosting.AdvertisedIp;
                    o.Port = hosting.MetricsPort;
                }));
        }

        return builder;
    }

    /// <summary>Applies the schema to the spool database and logs which scripts ran.</summary>
    public static void MigrateMailDatabase(this HostApplicationBuilder builder)
    {
        var applied = SchemaMigrator.Apply(SpoolConnectionString(builder.Configuration));
        Console.WriteLine(applied.Count == 0 ? "Schema is current." : $"Applied: {string.Join(", ", applied)}");
    }

    private static string SpoolConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("Spool")
        ?? throw new InvalidOperationException("ConnectionStrings:Spool is not set (environment: ConnectionStrings__Spool).");
}
