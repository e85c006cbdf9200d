namespace Orleans.Mail.Delivery.Sites;

/// <summary>
/// The providers known without configuration, by the MX host names they publish, with conservative
/// starting limits for the large ones (their public sender guidelines ask for few connections and a
/// steady pace; the adaptive pacer lowers these further on throttle replies).
/// </summary>
public static class BuiltInProviders
{
    /// <summary>A fresh copy of the table: name → suffixes and limits.</summary>
    public static Dictionary<string, ProviderSite> Create() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["google"] = new() { MxSuffixes = ["google.com", "googlemail.com"], MaxConnections = 5, MessagesPerSecond = 50 },
        ["microsoft"] = new() { MxSuffixes = ["protection.outlook.com", "outlook.com", "hotmail.com"], MaxConnections = 5, MessagesPerSecond = 50 },
        ["yahoo"] = new() { MxSuffixes = ["yahoodns.net", "yahoo.com", "aol.com"], MaxConnections = 5, MessagesPerSecond = 50 },
        ["apple"] = new() { MxSuffixes = ["icloud.com", "me.com"], MaxConnections = 3, MessagesPerSecond = 20 },
        ["comcast"] = new() { MxSuffixes = ["comcast.net"], MaxConnections = 3, MessagesPerSecond = 20 },
        ["gmx"] = new() { MxSuffixes = ["gmx.net", "gmx.de", "web.de"], MaxConnections = 5 },
        ["orange"] = new() { MxSuffixes = ["orange.fr", "wanadoo.fr"], MaxConnections = 3, MessagesPerSecond = 20 },
        ["mimecast"] = new() { MxSuffixes = ["mimecast.com", "mimecast.co.za"] },
        ["proofpoint"] = new() { MxSuffixes = ["pphosted.com", "ppe-hosted.com"] },
        ["zoho"] = new() { MxSuffixes = ["zoho.com", "zoho.eu", "zohomail.com"] },
        ["yandex"] = new() { MxSuffixes = ["yandex.net", "yandex.ru"] },
        ["mailru"] = new() { MxSuffixes = ["mail.ru"] },
        ["fastmail"] = new() { MxSuffixes = ["messagingengine.com"] },
        ["proton"] = new() { MxSuffixes = ["protonmail.ch"] },
    };
}
