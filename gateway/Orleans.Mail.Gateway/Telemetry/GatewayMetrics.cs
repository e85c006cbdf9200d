using System.Diagnostics.Metrics;

namespace Orleans.Mail.Gateway.Telemetry;

/// <summary>The gateway's own metrics (meter <see cref="MeterName"/>), on the admin port's <c>/metrics</c> in Prometheus format.</summary>
public static class GatewayMetrics
{
    /// <summary>The meter's name, to register with an OpenTelemetry meter provider.</summary>
    public const string MeterName = "Orleans.Mail.Gateway";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary><c>orleans_mail_gateway_requests_total{method,code}</c>: gRPC calls by method (e.g. <c>SendMessage</c>) and final status code (e.g. <c>OK</c>, <c>INVALID_ARGUMENT</c>).</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("orleans_mail_gateway_requests", description: "gRPC calls by method and status code");

    /// <summary><c>orleans_mail_gateway_request_duration_seconds{method}</c>: time to answer a gRPC call (for streams, the whole stream).</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "orleans_mail_gateway_request_duration", unit: "s", description: "Time to answer a gRPC call");
}
