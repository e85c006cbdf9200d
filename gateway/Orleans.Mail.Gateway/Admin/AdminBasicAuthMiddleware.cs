using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Orleans.Mail.Gateway.Admin;

/// <summary>
/// HTTP Basic authentication (RFC 7617) for everything on the admin port: the Orleans dashboard has no
/// authentication of its own and shows grain state. Credentials are compared in constant time; every failed
/// login is logged with the user name and the source address (never the password), and a source that fails
/// <see cref="GatewayOptions.AdminMaxFailedLogins"/> times is answered 429 with <c>Retry-After</c> for
/// <see cref="GatewayOptions.AdminLockoutSeconds"/> s (see <see cref="AdminLoginThrottle"/>).
/// </summary>
public sealed partial class AdminBasicAuthMiddleware(
    RequestDelegate next, IOptionsMonitor<GatewayOptions> options, AdminLoginThrottle throttle, TimeProvider time, ILogger<AdminBasicAuthMiddleware> logger)
{
    /// <summary>Passes the request on when its credentials match, else answers 401 with a challenge (429 while locked out).</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var settings = options.CurrentValue;
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return Challenge(context);
        }

        var given = Decode(header[6..].Trim());
        var user = UserOf(given);
        var source = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.LockedUntil(source, user) is { } until)
        {
            LogLockedOut(logger, Printable(user), source);
            var seconds = Math.Max(1, (int)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds));
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }

        var expected = Encoding.UTF8.GetBytes($"{settings.AdminUser}:{settings.AdminPassword}");
        if (CryptographicOperations.FixedTimeEquals(given, expected))
        {
            throttle.RecordSuccess(source, user);
            return next(context);
        }

        var failures = throttle.RecordFailure(source, user);
        LogFailedLogin(logger, Printable(user), source, failures);
        return Challenge(context);
    }

    private static Task Challenge(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"Orleans.Mail admin\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }

    private static byte[] Decode(string credentials)
    {
        try
        {
            return Convert.FromBase64String(credentials);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    // RFC 7617: user-id ":" password; the user id cannot hold a colon.
    private static string UserOf(byte[] credentials)
    {
        var colon = Array.IndexOf(credentials, (byte)':');
        return Encoding.UTF8.GetString(credentials, 0, colon < 0 ? 0 : Math.Min(colon, 64));
    }

    // The user name is the caller's text: keep log lines one line and short.
    private static string Printable(string user) => new(user.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Admin login failed for user '{User}' from {Source} ({Failures} in a row)")]
    private static partial void LogFailedLogin(ILogger logger, string user, string source, int failures);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Admin login refused for user '{User}' from {Source}: locked out after repeated failures")]
    private static partial void LogLockedOut(ILogger logger, string user, string source);
}
