using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.Mail.Suppression;

/// <summary>
/// The signed token in a one-click unsubscribe URL (RFC 8058, <c>List-Unsubscribe: &lt;https://host/u/TOKEN&gt;</c>):
/// a tenant, a recipient address and a campaign id, followed by an HMAC-SHA256 over them (truncated to
/// <see cref="MacBytes"/> bytes), all URL-safe base64 without padding (RFC 4648 §5). The token is not encrypted:
/// the address can be read from it, which is no secret to its own mailbox. Plain .NET; needs no Orleans runtime.
/// </summary>
public sealed class UnsubscribeToken
{
    /// <summary>The number of HMAC-SHA256 bytes kept in a token: 16 (128 bits).</summary>
    public const int MacBytes = 16;

    /// <summary>The shortest accepted secret, in characters: 32.</summary>
    public const int MinSecretLength = 32;

    /// <summary>The longest token <see cref="TryVerify"/> looks at, in characters: 2,048. Longer input is refused unread.</summary>
    public const int MaxTokenLength = 2048;

    private const byte Version = 1;
    private const int MaxFieldBytes = 512;

    private UnsubscribeToken(string tenantId, string address, Guid campaignId)
    {
        TenantId = tenantId;
        Address = address;
        CampaignId = campaignId;
    }

    /// <summary>The tenant whose suppression list the address goes on.</summary>
    public string TenantId { get; }

    /// <summary>The recipient address, as the message was addressed.</summary>
    public string Address { get; }

    /// <summary>The campaign the message belonged to (<see cref="Guid.Empty"/> when unknown).</summary>
    public Guid CampaignId { get; }

    /// <summary>Makes the token for <paramref name="address"/> of <paramref name="tenantId"/> in campaign <paramref name="campaignId"/>.</summary>
    /// <param name="secret">The HMAC key (its UTF-8 bytes), at least <see cref="MinSecretLength"/> characters.</param>
    /// <param name="tenantId">The tenant id; not empty, at most 512 UTF-8 bytes.</param>
    /// <param name="address">The recipient address; not empty, at most 512 UTF-8 bytes.</param>
    /// <param name="campaignId">The campaign id.</param>
    /// <returns>The token: URL-safe base64 without padding, safe in a URL path segment.</returns>
    /// <exception cref="ArgumentException">The secret is too short, or the tenant or address is empty or too long.</exception>
    public static string Create(string secret, string tenantId, string address, Guid campaignId)
    {
        var key = Key(secret);
        var tenant = Field(tenantId, nameof(tenantId));
        var addr = Field(address, nameof(address));
        var payloadLength = 1 + 2 + tenant.Length + 2 + addr.Length + 16;
        var buffer = new byte[payloadLength + MacBytes];
        var span = buffer.AsSpan();
        span[0] = Version;
        var at = 1;
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)tenant.Length);
        at += 2;
        tenant.CopyTo(span[at..]);
        at += tenant.Length;
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)addr.Length);
        at += 2;
        addr.CopyTo(span[at..]);
        at += addr.Length;
        campaignId.TryWriteBytes(span[at..], bigEndian: true, out _);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, span[..payloadLength], mac);
        mac[..MacBytes].CopyTo(span[payloadLength..]);
        return Base64Url.EncodeToString(buffer);
    }

    /// <summary>
    /// Checks <paramref name="token"/> against <paramref name="secret"/> (the MAC is compared in constant time) and
    /// reads it. Never throws for bad input: a malformed, truncated, forged or foreign token gives false.
    /// </summary>
    /// <param name="secret">The HMAC key the token was made with.</param>
    /// <param name="token">The token from the URL.</param>
    /// <param name="verified">The token's contents when it verifies, else null.</param>
    /// <returns>True when the token is well formed and its MAC matches.</returns>
    public static bool TryVerify(string? secret, string? token, [NotNullWhen(true)] out UnsubscribeToken? verified)
    {
        verified = null;
        if (string.IsNullOrEmpty(secret) || secret.Length < MinSecretLength || string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return false;
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
        var status = Base64Url.DecodeFromChars(token, buffer, out var consumed, out var length);
        if (status != OperationStatus.Done || consumed != token.Length || length < 1 + 2 + 2 + 16 + MacBytes)
        {
            return false;
        }

        var data = buffer.AsSpan(0, length);
        var payload = data[..^MacBytes];
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacBytes], data[^MacBytes..]) || payload[0] != Version)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = payload[1..];
        if (!TryReadField(ref rest, out var tenant) || !TryReadField(ref rest, out var address) || rest.Length != 16)
        {
            return false;
        }

        verified = new UnsubscribeToken(tenant, address, new Guid(rest, bigEndian: true));
        return true;
    }

    private static byte[] Key(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < MinSecretLength)
        {
            throw new ArgumentException($"The unsubscribe secret must have at least {MinSecretLength} characters.", nameof(secret));
        }

        return Encoding.UTF8.GetBytes(secret);
    }

    private static byte[] Field(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        var bytes = Encoding.UTF8.GetBytes(value);
        return bytes.Length <= MaxFieldBytes ? bytes : throw new ArgumentException($"At most {MaxFieldBytes} UTF-8 bytes.", name);
    }

    private static bool TryReadField(ref ReadOnlySpan<byte> rest, out string value)
    {
        value = string.Empty;
        if (rest.Length < 2)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(rest);
        if (length == 0 || length > MaxFieldBytes || rest.Length < 2 + length)
        {
            return false;
        }

        try
        {
            value = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(rest.Slice(2, length));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        rest = rest[(2 + length)..];
        return true;
    }
}
