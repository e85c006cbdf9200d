using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.Mail.Delivery.Composition;

/// <summary>
/// Writes one-click unsubscribe tokens in the format that <c>Orleans.Mail.Suppression.UnsubscribeToken</c> (in
/// Orleans.Mail.Abstractions, which the gateway verifies with) defines: version byte 1, tenant and address as
/// big-endian 16-bit length + UTF-8, the campaign id (16 bytes, big-endian), then the first 16 bytes of
/// HMAC-SHA256 over all of that; URL-safe base64 without padding. This assembly does not reference Abstractions
/// (it knows nothing of Orleans), so the writer is repeated here; test C16 checks that both agree byte for byte.
/// </summary>
internal static class UnsubscribeTokenWriter
{
    private const byte Version = 1;
    private const int MacBytes = 16;
    private const int MaxFieldBytes = 512;

    /// <summary>The token for <paramref name="address"/> of <paramref name="tenantId"/> in campaign <paramref name="campaignId"/>.</summary>
    /// <exception cref="ArgumentException">The tenant or address is empty or longer than 512 UTF-8 bytes.</exception>
    public static string Create(string secret, string tenantId, string address, Guid campaignId)
    {
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
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), span[..payloadLength], mac);
        mac[..MacBytes].CopyTo(span[payloadLength..]);
        return Base64Url.EncodeToString(buffer);
    }

    private static byte[] Field(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        var bytes = Encoding.UTF8.GetBytes(value);
        return bytes.Length <= MaxFieldBytes ? bytes : throw new ArgumentException($"At most {MaxFieldBytes} UTF-8 bytes.", name);
    }
}
