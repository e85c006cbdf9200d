using System.Data.Common;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Npgsql;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Mail.Gateway.Admin;
using Orleans.Mail.Gateway.Auth;
using Orleans.Mail.Gateway.Errors;
using Orleans.Mail.Gateway.Protocol;
using Orleans.Mail.Gateway.Services;
using Orleans.Mail.Gateway.Unsubscribe;

namespace Orleans.Mail.Gateway.Extensions;

/// <summary>The gateway's composition: listeners (gRPC, admin, public unsubscribe), the Orleans client, gRPC services with their interceptors, health, reflection and the admin dashboard.</summary>
public static class GatewayExtensions
{
    private const string Invariant = "Npgsql";

    /// <summary>Largest request of a method without content (sites, keys, look-ups), in bytes: 1 MiB.</summary>
    public const int SmallRequestBytes = 1024 * 1024;

    /// <summary>What a <c>SendMessage</c> request may carry beyond <see cref="GatewayOptions.MaxMessageBytes"/> (addresses, headers, field framing), in bytes: 1 MiB.</summary>
    public const int EnvelopeAllowanceBytes = 1024 * 1024;

    /// <summary>Configures the gateway from configuration (<c>Gateway</c>, <c>ConnectionStrings:Cluster</c>).</summary>
    public static WebApplicationBuilder AddMailGateway(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var settings = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        builder.Services.AddOptions<UnsubscribeEndpointOptions>().BindConfiguration(UnsubscribeEndpointOptions.Section)
            .Validate(o => o.IsValid(), UnsubscribeEndpointOptions.ValidationMessage).ValidateOnStart();
        var unsubscribe = builder.Configuration.GetSection(UnsubscribeEndpointOptions.Section).Get<UnsubscribeEndpointOptions>() ?? new UnsubscribeEndpointOptions();
        var clusterConnection = builder.Configuration.GetConnectionString("Cluster")
            ?? throw new InvalidOperationException("ConnectionStrings:Cluster is not set (environment: ConnectionStrings__Cluster).");

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // An AddRecipients stream of a million rows is far over Kestrel's 30 MB body default; each
            // gRPC message is still capped (MaxReceiveMessageSize) and each send by Gateway:MaxMessageBytes.
            kestrel.Limits.MaxRequestBodySize = null;
            var ip = IPAddress.Parse(settings.ListenIp);
            kestrel.Listen(ip, settings.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (!string.IsNullOrEmpty(settings.TlsCertificatePath))
                {
                    listen.UseHttps(settings.TlsCertificatePath, settings.TlsCertificatePassword);
                }
            });
            kestrel.Listen(ip, settings.AdminPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                // Basic credentials must not cross the network in the clear: with a certificate, the admin port is https too.
                if (!string.IsNullOrEmpty(settings.TlsCertificatePath))
                {
                    listen.UseHttps(settings.TlsCertificatePath, settings.TlsCertificatePassword);
                }
            });
            if (unsubscribe.Enabled)
            {
                kestrel.Listen(ip, settings.PublicPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            }
        });

        DbProviderFactories.RegisterFactory(Invariant, NpgsqlFactory.Instance);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = clusterConnection;
            });
            // Keep trying until a silo is up, so gateway and silos can start in any order.
            client.UseConnectionRetryFilter(static async (_, cancellationToken) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return true;
            });
            client.AddDashboard();
            // Database faults inside the cluster arrive as Npgsql exceptions, mapped to UNAVAILABLE (ErrorMappingInterceptor).
            client.Services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OneClickUnsubscribe>();
        builder.Services.AddSingleton(services => new Admin.AdminLoginThrottle(
            settings.AdminMaxFailedLogins, TimeSpan.FromSeconds(settings.AdminLockoutSeconds), services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<Backpressure.SpoolBacklog>();
        builder.Services.AddHostedService<Backpressure.BacklogWatcher>();
        builder.Services.AddSingleton<ApiKeyInterceptor>();
        builder.Services.AddSingleton<ErrorMappingInterceptor>();
        builder.Services.AddGrpc(grpc =>
        {
            // First, so it sees every call's final status, refused keys and mapped errors included.
            grpc.Interceptors.Add<Telemetry.RequestMetricsInterceptor>();
            grpc.Interceptors.Add<ApiKeyInterceptor>();
            grpc.Interceptors.Add<ErrorMappingInterceptor>();
            // Small by default: every request is read whole before any check runs, so only the methods that carry
            // content or recipient batches get more (security review F17).
            grpc.MaxReceiveMessageSize = SmallRequestBytes;
        })
        // Large enough for a batch of 5,000 recipients with variables, or a campaign's content.
        .AddServiceOptions<CampaignApi>(o => o.MaxReceiveMessageSize = 64 * 1024 * 1024)
        // A message's content (Gateway:MaxMessageBytes) plus its addresses and headers.
        .AddServiceOptions<MessageApi>(o => o.MaxReceiveMessageSize = settings.MaxMessageBytes + EnvelopeAllowanceBytes)
        .AddServiceOptions<SuppressionApi>(o => o.MaxReceiveMessageSize = 4 * 1024 * 1024);
        builder.Services.AddSingleton<Telemetry.RequestMetricsInterceptor>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Telemetry.GatewayMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
            .AddPrometheusExporter());
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("cluster", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        // Last: a request that cannot be parsed answers INVALID_ARGUMENT, not UNKNOWN.
        builder.Services.UseCheckedRequestParsing();
        return builder;
    }

    /// <summary>
    /// Maps the gRPC API on the gRPC port, the dashboard and metrics (behind Basic authentication) on the admin port,
    /// and on the public port (when <c>Unsubscribe:Secret</c> is set) only the one-click unsubscribe endpoint. Each
    /// port is a terminal branch chosen by the socket's local port, never by the Host header, which the client
    /// controls (security review F03): nothing of the admin surface is reachable on another port, whatever the
    /// request says.
    /// </summary>
    public static WebApplication MapMailGateway(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value;
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<UnsubscribeEndpointOptions>>().Value.Enabled)
        {
            var unsubscribe = app.Services.GetRequiredService<OneClickUnsubscribe>();
            app.MapWhen(context => context.Connection.LocalPort == settings.PublicPort, branch => branch.Run(unsubscribe.InvokeAsync));
        }

        app.MapWhen(context => context.Connection.LocalPort == settings.AdminPort, admin =>
        {
            admin.UseMiddleware<AdminBasicAuthMiddleware>();
            admin.UseRouting();
            admin.UseEndpoints(endpoints =>
            {
                endpoints.MapOrleansDashboard(routePrefix: "/dashboard");
                // Prometheus scrapes the admin port, with the admin credentials (basic_auth in its scrape config).
                endpoints.MapPrometheusScrapingEndpoint("/metrics");
                endpoints.MapGet("/", () => Results.Redirect("/dashboard/"));
            });
        });

        // Whatever is left arrived on the gRPC port: only the API, health and reflection are mapped there.
        app.MapGrpcService<CampaignApi>();
        app.MapGrpcService<MessageApi>();
        app.MapGrpcService<SuppressionApi>();
        app.MapGrpcService<SiteApi>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
