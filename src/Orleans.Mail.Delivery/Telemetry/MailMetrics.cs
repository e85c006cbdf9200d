using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Orleans.Mail.Delivery.Telemetry;

/// <summary>
/// The engine's own metrics (meter <see cref="MeterName"/>, OpenTelemetry), exported by silos and gateways in
/// Prometheus format. Names as Prometheus shows them: counters end in <c>_total</c>, durations are seconds.
/// Labels use the project's vocabulary: <c>action</c> (delivered, deferred, bounced, expired), <c>class</c>
/// (the reply classes of <c>smtp-replies.tsv</c>), <c>site</c> (a site key).
/// </summary>
public static class MailMetrics
{
    /// <summary>The meter's name, to register with an OpenTelemetry meter provider.</summary>
    public const string MeterName = "Orleans.Mail";

    private static readonly Meter Meter = new(MeterName, "1.0");

    private static readonly ConcurrentDictionary<string, long> SpoolDepths = new(StringComparer.Ordinal);

    /// <summary><c>orleans_mail_accepted_total{kind}</c>: recipients durably accepted into the spool; kind campaign or transactional.</summary>
    public static readonly Counter<long> Accepted = Meter.CreateCounter<long>("orleans_mail_accepted", description: "Recipients durably accepted into the spool");

    /// <summary><c>orleans_mail_outcomes_total{action,class}</c>: outcomes of delivery attempts.</summary>
    public static readonly Counter<long> Outcomes = Meter.CreateCounter<long>("orleans_mail_outcomes", description: "Outcomes of delivery attempts by action and reply class");

    /// <summary><c>orleans_mail_smtp_session_duration_seconds</c>: how long SMTP sessions stayed open, connect to close.</summary>
    public static readonly Histogram<double> SessionDuration = Meter.CreateHistogram<double>(
        "orleans_mail_smtp_session_duration", unit: "s", description: "SMTP session time, connect to close");

    /// <summary><c>orleans_mail_smtp_transaction_duration_seconds</c>: one SMTP transaction, MAIL FROM to the reply after the final dot (or the refusal).</summary>
    public static readonly Histogram<double> TransactionDuration = Meter.CreateHistogram<double>(
        "orleans_mail_smtp_transaction_duration", unit: "s", description: "SMTP transaction time, MAIL FROM to the final reply");

    static MailMetrics()
    {
        Meter.CreateObservableGauge(
            "orleans_mail_spool_depth",
            () => SpoolDepths.Select(pair => new Measurement<long>(pair.Value, new KeyValuePair<string, object?>("site", pair.Key))),
            description: "Messages waiting (queued or deferred) per site, as last counted by the site's pacer on this silo");
    }

    /// <summary>Records the latest spool depth of <paramref name="site"/> (its pacer runs on this silo).</summary>
    public static void SetSpoolDepth(string site, long messages) => SpoolDepths[site] = messages;

    /// <summary>Stops reporting <paramref name="site"/> from this silo (its pacer went away).</summary>
    public static void ForgetSpoolDepth(string site) => SpoolDepths.TryRemove(site, out _);
}
