namespace Orleans.Mail.Gateway.Unsubscribe;

/// <summary>
/// The gateway's side of one-click unsubscribe (RFC 8058). Bound from the <c>Unsubscribe</c> section, the same one the
/// silos read (they also read <c>BaseUrl</c>); validated on start.
/// </summary>
public sealed class UnsubscribeEndpointOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Unsubscribe";

    /// <summary>The shortest accepted <see cref="Secret"/>, in characters: 32.</summary>
    public const int MinSecretLength = 32;

    /// <summary>The validation message used on start.</summary>
    public const string ValidationMessage = "Unsubscribe:Secret must be empty (endpoint off) or at least 32 characters.";

    /// <summary>
    /// The HMAC-SHA256 key the silos sign tokens with. Empty (the default) turns the endpoint off: no public listener
    /// is opened. Otherwise at least <see cref="MinSecretLength"/> characters.
    /// </summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>True when <see cref="Secret"/> is set.</summary>
    public bool Enabled => !string.IsNullOrEmpty(Secret);

    /// <summary>True when the endpoint is off, or its secret is long enough.</summary>
    public bool IsValid() => !Enabled || Secret.Length >= MinSecretLength;
}
