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
using Orleans.Mail.Gateway.Services;
using Orleans.Mail.Gateway.Unsubscribe;

namespace Orleans.Mail.Gateway.Extensions;

/// <summary>The gateway's composition: listeners (gRPC, admin, public unsubscribe), the Orleans client, gRPC services with their interceptors, health, reflection and the admin dashboard.</summary>
public static class GatewayExtensions
{
    private const string Invariant = "Npgsql";

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
            kestrel.Listen(ip, settings.AdminPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
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
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OneClickUnsubscribe>();
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
            // Large enough for a batch of 5,000 recipients with variables.
            grpc.MaxReceiveMessageSize = 64 * 1024 * 1024;
        });
        builder.Services.AddSingleton<Telemetry.RequestMetricsInterceptor>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Telemetry.GatewayMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
            .AddPrometheusExporter());
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("cluster", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        return builder;
    }

    /// <summary>
    /// Maps the gRPC API on the gRPC port, the dashboard (behind Basic authentication) on the admin port, and on the
    /// public port (when <c>Unsubscribe:Secret</c> is set) only the one-click unsubscribe endpoint.
    /// </summary>
    public static WebApplication MapMailGateway(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value;
        var grpcHost = $"*:{settings.GrpcPort}";
        var adminHost = $"*:{settings.AdminPort}";
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<UnsubscribeEndpointOptions>>().Value.Enabled)
        {
            // Terminal branch: whatever arrives on the public port is answered here and reaches no other endpoint.
            var unsubscribe = app.Services.GetRequiredService<OneClickUnsubscribe>();
            app.MapWhen(context => context.Connection.LocalPort == settings.PublicPort, branch => branch.Run(unsubscribe.InvokeAsync));
        }

        app.UseWhen(context => context.Connection.LocalPort == settings.AdminPort, admin => admin.UseMiddleware<AdminBasicAuthMiddleware>());
        app.MapGrpcService<CampaignApi>().RequireHost(grpcHost);
        app.MapGrpcService<MessageApi>().RequireHost(grpcHost);
        app.MapGrpcService<SuppressionApi>().RequireHost(grpcHost);
        app.MapGrpcService<SiteApi>().RequireHost(grpcHost);
        app.MapGrpcHealthChecksService().RequireHost(grpcHost);
        app.MapGrpcReflectionService().RequireHost(grpcHost);
        app.MapOrleansDashboard(routePrefix: "/dashboard").RequireHost(adminHost);
        // Prometheus scrapes the admin port, with the admin credentials (basic_auth in its scrape config).
        app.MapPrometheusScrapingEndpoint("/metrics").RequireHost(adminHost);
        app.MapGet("/", () => Results.Redirect("/dashboard/")).RequireHost(adminHost);
        return app;
    }
}
